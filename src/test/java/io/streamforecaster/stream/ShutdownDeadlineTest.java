package io.streamforecaster.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stop's deadline ends the process once it has passed, and only then. */
class ShutdownDeadlineTest {

    @Test
    void shouldEndTheProcessOnceTheLimitHasPassed() {
        AtomicInteger halted = new AtomicInteger();
        ShutdownDeadline.start(Duration.ofMillis(200), halted::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> halted.get() == 1);
    }

    @Test
    void shouldNotEndAProcessWhoseStopIsOverBeforeTheLimit() throws Exception {
        AtomicInteger halted = new AtomicInteger();
        Thread watch = ShutdownDeadline.start(Duration.ofMillis(300), halted::incrementAndGet);
        watch.interrupt();
        watch.join(5_000);
        assertEquals(0, halted.get());
    }
}
