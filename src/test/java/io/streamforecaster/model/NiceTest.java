package io.streamforecaster.model;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A thread lowers its own scheduling priority; the training pool's threads do as they start. */
class NiceTest {

    @BeforeEach
    void linuxWithRenice() {
        Assumptions.assumeTrue(Nice.ofCurrentThread() != null, "NiceTest skipped: no /proc/thread-self (not Linux)");
        Assumptions.assumeTrue(Nice.ofCurrentThread() == 0, "NiceTest skipped: the test runs niced already");
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "renice"))),
                "NiceTest skipped: renice is not on the PATH");
    }

    @Test
    void shouldLowerOnlyTheCallingThread() throws Exception {
        AtomicReference<Nice.Outcome> outcome = new AtomicReference<>();
        AtomicReference<Integer> after = new AtomicReference<>();
        Thread t = new Thread(() -> {
            outcome.set(Nice.lowerCurrentThread(7));
            after.set(Nice.ofCurrentThread());
        });
        t.start();
        t.join();
        assertTrue(outcome.get().lowered(), outcome.get().detail());
        assertEquals(7, after.get());
        assertEquals(0, Nice.ofCurrentThread(), "the other threads keep theirs");
    }

    /** The nice value of this JVM's threads named (as the kernel has it, 15 characters) like the pool's. */
    static Stream<Integer> trainerNices() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.toList().stream().filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().startsWith("forecaster-trai");
                } catch (IOException e) {
                    return false; // the thread ended
                }
            }).map(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[16]);
                } catch (IOException e) {
                    return null;
                }
            }).filter(java.util.Objects::nonNull);
        }
    }

    @Test
    void shouldRunTheTrainingThreadsAtTheirNiceValue() {
        TrainingSettings s = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);
        try (TrainingPool pool = TrainingPool.create(s, 1, 1, 9)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(trainerNices().anyMatch(n -> n == 9),
                    "a training thread at nice 9: " + trainerNices().toList()));
        }
    }
}
