package io.streamforecaster.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.state.Source;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ForecasterMetricsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    void assertEveryGaugeFinite() {
        for (Meter m : registry.getMeters()) {
            if (m instanceof Gauge g) {
                assertTrue(Double.isFinite(g.value()), m.getId() + " reads " + g.value());
            }
        }
    }

    @Test
    void shouldKeepReadingTheTrainingQueueAfterTheSupplierIsOnlyHeldByTheGauge() {
        AtomicLong pending = new AtomicLong(3);
        makeMetricsAndDropThem(pending);
        collectGarbage();

        assertEquals(3, registry.get("forecaster.training.queue").gauge().value());
        pending.set(5);
        assertEquals(5, registry.get("forecaster.training.queue").gauge().value());
        assertEquals(0, registry.get("forecaster.models").gauge().value());
        assertEveryGaugeFinite();
    }

    /** The evictions counter read a method reference only it held (weakly): after a GC it kept its last count. */
    @Test
    void shouldKeepCountingEvictionsAfterAGc() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 2);
        AtomicLong evictions = new AtomicLong();
        registerMemory(metrics, evictions);
        assertEquals(0, registry.get("forecaster.memory.evictions").functionCounter().count());
        collectGarbage();

        evictions.set(7);
        assertEquals(7, registry.get("forecaster.memory.evictions").functionCounter().count());
        assertEquals(2, registry.get("forecaster.memory.used").gauge().value());
    }

    private static void registerMemory(ForecasterMetrics metrics, AtomicLong evictions) {
        metrics.memory(() -> 2, () -> 10, evictions::get); // capturing references: new objects nothing else holds
    }

    private void makeMetricsAndDropThem(AtomicLong pending) {
        var metrics = new ForecasterMetrics(registry, pending::get, 2); // a capturing reference: a new object nothing else holds
        metrics.scored(Source.LSTM, 1, 2);
        metrics.intervalChecked(true);
        metrics.series("t", "k", 1, 2, 0.5, 3.5, 1, 2);
    }

    @Test
    void shouldRegisterMeansOnlyOnceTheyHaveAValueAndIgnoreValuesThatAreNotFinite() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 2);
        assertNull(registry.find("forecaster.accuracy.mae").gauge(), "a mean of nothing would read NaN");
        assertNull(registry.find("forecaster.accuracy.naive.mae").gauge());
        assertNull(registry.find("forecaster.interval.coverage").gauge());

        metrics.scored(Source.NAIVE, 2, 2);
        metrics.scored(Source.NAIVE, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY); // 1e308 then -1e308 once made these
        metrics.scored(Source.NAIVE, Double.NaN, Double.NaN);
        assertEquals(2, registry.get("forecaster.accuracy.mae").tag("source", "naive").gauge().value(), 1e-9);
        assertEquals(2, registry.get("forecaster.accuracy.naive.mae").gauge().value(), 1e-9);
        assertNull(registry.find("forecaster.accuracy.mae").tag("source", "lstm").gauge());
        assertEveryGaugeFinite();
    }

    @Test
    void shouldExportADrillDownValueOnlyOnceItIsFiniteAndKeepTheLastFiniteOne() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 1);
        metrics.series("t", "k", 10, 11, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        assertEquals(11, registry.get("forecaster.series.forecast").tag("key", "k").gauge().value());
        assertNull(registry.find("forecaster.series.lower").gauge(), "no interval yet");
        metrics.series("t", "k", 12, 13, 9, 17, 1, 2);
        metrics.series("t", "k", 14, 15, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, 2);
        assertEquals(9, registry.get("forecaster.series.lower").tag("key", "k").gauge().value());
        assertEquals(1, registry.get("forecaster.series.mae").tag("key", "k").gauge().value());
        metrics.series("t", "k2", 1, 1, 1, 1, 1, 1);
        assertNull(registry.find("forecaster.series.actual").tag("key", "k2").gauge(), "one key per instance here");
        assertEveryGaugeFinite();
    }

    /**
     * A key whose task leaves this instance (a rebalance, a scale-out) is exported by its new owner:
     * its gauges here would be a frozen second series, and would keep its drill-down slot from the
     * keys this instance still has.
     */
    @Test
    void shouldDropAKeysDrillDownGaugesWhenItsTaskLeavesTheInstance() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 1);
        metrics.registerTask("app/0_0", new ForecasterMetrics.TaskGauges(() -> 0, () -> 0, () -> 0, () -> 0, () -> 0));
        metrics.series("app/0_0", "a", 1, 2, 0, 3, 1, 1);
        metrics.anomalyScored("a", 9, true);
        assertEquals(1, registry.get("forecaster.series.actual").tag("key", "a").gauge().value());
        assertEquals(1, registry.get("forecaster.anomalies").tag("group", "a").counter().count());

        metrics.unregisterTask("app/0_0");
        assertNull(registry.find("forecaster.anomalies").tag("group", "a").counter(), "its anomaly group too: the groups stay bounded");
        metrics.series("app/0_1", "b", 5, 6, 4, 7, 1, 1);

        assertNull(registry.find("forecaster.series.actual").tag("key", "a").gauge(), "the moved key's gauges are gone");
        assertEquals(5, registry.get("forecaster.series.actual").tag("key", "b").gauge().value(), "and its slot is free");
        metrics.unregisterTask("app/0_0");
        assertEquals(5, registry.get("forecaster.series.actual").tag("key", "b").gauge().value(), "another task's keys stay");
    }

    /**
     * A drill-down key that stopped gives its slot to a new key once it has been idle for
     * series-idle: the first keys seen (short-lived ones, say) held the drill-down for good, their
     * gauges frozen at their last values, and no live key could get a slot.
     */
    @Test
    void shouldGiveAnIdleKeysDrillDownSlotToANewKey() {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        var metrics = new ForecasterMetrics(registry, () -> 0, 1, java.time.Duration.ofMinutes(10), nanos::get);
        metrics.series("t", "stopped", 1, 2, 0, 3, 1, 1);
        metrics.anomalyScored("stopped", 9, true);
        nanos.addAndGet(java.time.Duration.ofMinutes(9).toNanos());
        assertFalse(metrics.releaseIdleSeries(), "not idle long enough yet");
        metrics.series("t", "live", 5, 6, 4, 7, 1, 1);
        assertNull(registry.find("forecaster.series.actual").tag("key", "live").gauge(), "no slot for it yet");

        nanos.addAndGet(java.time.Duration.ofMinutes(2).toNanos());
        assertTrue(metrics.releaseIdleSeries()); // a task's punctuation
        metrics.series("t", "live", 5, 6, 4, 7, 1, 1);
        assertEquals(5, registry.get("forecaster.series.actual").tag("key", "live").gauge().value(), "the idle key's slot is the live key's");
        assertNull(registry.find("forecaster.series.actual").tag("key", "stopped").gauge(), "the stopped key's frozen gauges are gone");
        assertNull(registry.find("forecaster.anomalies").tag("group", "stopped").counter(), "and its anomaly group");

        metrics.series("t", "live", 8, 6, 4, 7, 1, 1);
        assertEquals(8, registry.get("forecaster.series.actual").tag("key", "live").gauge().value());
    }

    /**
     * An anomaly of a key scored on its stream thread while another task's punctuation releases the
     * key's idle drill-down: the key was still listed while its counter was removed, so a new counter
     * for it was made and left behind (a group that stays exported, frozen, past the bound).
     */
    @Test
    void shouldLeaveNoCounterBehindForAKeyScoredWhileItsDrillDownIsReleased() throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<ForecasterMetrics> ref = new java.util.concurrent.atomic.AtomicReference<>();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry racing = new io.micrometer.core.instrument.simple.SimpleMeterRegistry() {
            @Override
            public io.micrometer.core.instrument.Meter remove(io.micrometer.core.instrument.Meter meter) {
                if (meter.getId().getName().equals("forecaster.anomalies") && "k".equals(meter.getId().getTag("group"))) {
                    Thread scorer = new Thread(() -> ref.get().anomalyScored("k", 9, true)); // k's stream thread, just now
                    scorer.start();
                    try {
                        scorer.join(2_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.remove(meter);
            }
        };
        var metrics = new ForecasterMetrics(racing, () -> 0, 1, java.time.Duration.ofMinutes(10), nanos::get);
        ref.set(metrics);
        metrics.series("t", "k", 1, 2, 0, 3, 1, 1);
        metrics.anomalyScored("k", 9, true);
        nanos.addAndGet(java.time.Duration.ofMinutes(11).toNanos());

        assertTrue(metrics.releaseIdleSeries());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(1, racing.get("forecaster.anomalies").tag("group", ForecasterMetrics.OTHER_KEYS).counter().count(),
                        "the anomaly scored meanwhile counts with the other keys"));
        assertNull(racing.find("forecaster.anomalies").tag("group", "k").counter(), "no counter of k is left behind");
    }

    /** A key named as the aggregate anomaly group gets no drill-down: its anomalies would be counted with all others' as one. */
    @Test
    void shouldNotGiveAKeyNamedAsTheAggregateGroupADrillDown() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 5);
        metrics.series("t", ForecasterMetrics.OTHER_KEYS, 1, 2, 0, 3, 1, 1);
        metrics.series("t", "x", 1, 2, 0, 3, 1, 1);
        metrics.anomalyScored("x", 9, true);

        assertNull(registry.find("forecaster.series.actual").tag("key", ForecasterMetrics.OTHER_KEYS).gauge());
        assertEquals(0, registry.get("forecaster.anomalies").tag("group", ForecasterMetrics.OTHER_KEYS).counter().count(),
                "the drill-down key x counts apart");
        assertEquals(1, registry.get("forecaster.anomalies").tag("group", "x").counter().count());
    }

    @Test
    void shouldCountPunctuationFailuresApartFromRejectedRecords() {
        var metrics = new ForecasterMetrics(registry, () -> 0, 0);
        metrics.punctuationFailed();
        assertEquals(1, registry.get("forecaster.punctuation.failures").counter().count());
        registry.find("forecaster.rejected").counters().forEach(c -> assertEquals(0, c.count(), c.getId().toString()));
    }
}
