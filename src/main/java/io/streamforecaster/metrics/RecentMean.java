package io.streamforecaster.metrics;

import io.micrometer.core.instrument.Gauge;

/**
 * An exponentially weighted mean with bias correction, cheap enough for every event, whose gauge
 * appears with its first value: a mean of nothing would be exported as NaN. Values that are not
 * finite are ignored, so one extreme value cannot leave the gauge infinite for good.
 */
final class RecentMean {

    private final double alpha;
    private final Gauge.Builder<RecentMean> gauge;
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private double sum;
    private double weight;
    private volatile boolean registered;

    /** @param gauge the gauge to register on the first value, built over this mean */
    RecentMean(double alpha, io.micrometer.core.instrument.MeterRegistry registry, java.util.function.Function<RecentMean, Gauge.Builder<RecentMean>> gauge) {
        this.alpha = alpha;
        this.registry = registry;
        this.gauge = gauge.apply(this).strongReference(true);
    }

    void add(double v) {
        if (!Double.isFinite(v)) {
            return;
        }
        synchronized (this) {
            sum = (1 - alpha) * sum + alpha * v;
            weight = (1 - alpha) * weight + alpha;
        }
        if (!registered) {
            registered = true;
            gauge.register(registry);
        }
    }

    /** The mean, NaN before any value (the gauge is not registered then). */
    synchronized double value() {
        return weight > 0 ? sum / weight : Double.NaN;
    }
}
