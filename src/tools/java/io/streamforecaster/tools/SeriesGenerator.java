package io.streamforecaster.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Demo data the project makes itself: per key a level, a trend, a daily cycle, noise and now and
 * then a level shift, at a scale of its own (CPU percent, temperatures, request counts...).
 */
public final class SeriesGenerator {

    /** Steps per simulated day: one observation every 30 simulated minutes. */
    public static final int DAY = 48;

    private static final String[] KINDS = {"cpu", "temperature", "requests", "queue-depth", "latency-ms", "orders"};

    private final List<Series> series = new ArrayList<>();

    public SeriesGenerator(int keys, long seed) {
        if (keys < 1) {
            throw new IllegalArgumentException("Invalid number of keys = " + keys);
        }
        Random r = new Random(seed);
        for (int k = 0; k < keys; k++) {
            String kind = KINDS[k % KINDS.length];
            double scale = switch (kind) {
                case "cpu" -> 10;
                case "temperature" -> 3;
                case "requests" -> 400;
                case "queue-depth" -> 20;
                case "latency-ms" -> 15;
                default -> 60;
            };
            double level = scale * (3 + 4 * r.nextDouble());
            series.add(new Series(String.format("host-%d.%s", k / KINDS.length + 1, kind), level, scale,
                    scale * 0.002 * (r.nextDouble() - 0.3), r.nextDouble() * DAY, 0.08 + 0.1 * r.nextDouble(),
                    new Random(seed * 31 + k)));
        }
    }

    public int keys() {
        return series.size();
    }

    public String key(int k) {
        return series.get(k).key;
    }

    /** The next value of key {@code k}. */
    public double next(int k) {
        return series.get(k).next();
    }

    private static final class Series {
        final String key;
        final double scale;
        final double trend;
        final double phase;
        final double noise;
        final Random random;
        double level;
        long t;

        Series(String key, double level, double scale, double trend, double phase, double noise, Random random) {
            this.key = key;
            this.level = level;
            this.scale = scale;
            this.trend = trend;
            this.phase = phase;
            this.noise = noise;
            this.random = random;
        }

        double next() {
            if (random.nextDouble() < 1.0 / 700) {
                level += scale * (random.nextBoolean() ? 1 : -1) * (0.5 + random.nextDouble());
            }
            level += trend;
            double daily = scale * Math.sin(2 * Math.PI * (t + phase) / DAY)
                    + 0.4 * scale * Math.sin(4 * Math.PI * (t + phase) / DAY);
            t++;
            double v = level + daily + scale * noise * random.nextGaussian();
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
