package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.metrics.ForecasterMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadPolicyTest {

    final AtomicLong now = new AtomicLong(1_000_000);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final StreamThreadPolicy policy = new StreamThreadPolicy(3, Duration.ofMinutes(1), now::get, new ForecasterMetrics(registry, () -> 0));

    @Test
    void shouldReplaceADyingThreadWhileDeathsAreRare() {
        for (int i = 0; i < 10; i++) {
            assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new IllegalStateException("boom " + i)));
            now.addAndGet(Duration.ofSeconds(21).toMillis()); // at most three within any minute
        }
        assertTrue(policy.gaveUp().isEmpty());
        assertEquals(10, registry.get("forecaster.stream.threads.replaced").counter().count());
    }

    @Test
    void shouldShutTheClientDownAndReportNotAliveWhenThreadsKeepDying() {
        for (int i = 0; i < 3; i++) {
            assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new IllegalStateException("boom")));
            now.addAndGet(1000);
        }
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new IllegalStateException("boom again")));
        assertTrue(policy.gaveUp().orElseThrow().contains("4 stream-thread deaths"), policy.gaveUp().toString());
        assertTrue(policy.gaveUp().orElseThrow().contains("boom again"));

        var health = new StreamThreadsLiveness();
        health.policy = policy;
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.DOWN, health.call().getStatus());
    }
}
