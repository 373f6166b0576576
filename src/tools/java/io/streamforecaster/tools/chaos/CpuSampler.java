package io.streamforecaster.tools.chaos;

import java.util.Arrays;

import io.streamforecaster.tools.CpuTime;

/**
 * Reads the CPU seconds of the service, the brokers and this tool every few milliseconds, so that
 * a run's CPU can be taken between two instants seen only afterwards (the first and the last
 * forecast's arrival), not when a wait happened to notice them.
 */
final class CpuSampler implements AutoCloseable {

    /** The three processes' CPU seconds at one instant (nanoTime). */
    record Reading(long nanos, double service, double broker, double tool) {
    }

    private static final long PERIOD_MILLIS = 10;

    private final Fleet.Instance service;
    private final BrokerCluster kafka;
    private final Thread thread;
    private long[] nanos = new long[1 << 12];
    private double[][] cpu = new double[3][1 << 12];
    private int size;
    private volatile boolean running = true;

    private CpuSampler(Fleet.Instance service, BrokerCluster kafka) {
        this.service = service;
        this.kafka = kafka;
        this.thread = new Thread(this::loop, "cpu-sampler");
        this.thread.setDaemon(true);
    }

    /** Starts sampling the given service and brokers (and this tool) until closed. */
    static CpuSampler start(Fleet.Instance service, BrokerCluster kafka) {
        CpuSampler s = new CpuSampler(service, kafka);
        s.sample();
        s.thread.start();
        return s;
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
            for (int i = 0; i < 3; i++) {
                cpu[i] = Arrays.copyOf(cpu[i], size * 2);
            }
        }
        nanos[size] = System.nanoTime();
        cpu[0][size] = service.cpuSeconds();
        cpu[1][size] = kafka.cpuSeconds();
        cpu[2][size] = CpuTime.self();
        size++;
    }

    /** The CPU seconds at {@code at} (nanoTime), interpolated between the samples around it; the nearest end outside them. */
    synchronized Reading at(long at) {
        int i = Arrays.binarySearch(nanos, 0, size, at);
        if (i >= 0) {
            return new Reading(at, cpu[0][i], cpu[1][i], cpu[2][i]);
        }
        int after = -i - 1;
        if (after == 0 || after == size) {
            int j = after == 0 ? 0 : size - 1;
            return new Reading(at, cpu[0][j], cpu[1][j], cpu[2][j]);
        }
        int before = after - 1;
        double w = (double) (at - nanos[before]) / (nanos[after] - nanos[before]);
        return new Reading(at, lerp(cpu[0], before, w), lerp(cpu[1], before, w), lerp(cpu[2], before, w));
    }

    private static double lerp(double[] v, int i, double w) {
        return v[i] + w * (v[i + 1] - v[i]);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
