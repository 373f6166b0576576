package io.streamforecaster.tools;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU time used by a process, in seconds: what a run cost the machine, beside how long it took. */
public final class CpuTime {

    private CpuTime() {
    }

    /** All threads of the process, user and system time; NaN when the OS does not tell. */
    public static double of(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** This JVM's CPU time so far. */
    public static double self() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /**
     * CPU seconds of a JVM's live threads (the JVM's own too: GC, compiler), summed by kind: the
     * thread's name without UUIDs and without the number at its end, so that "GC Thread#0" and
     * "GC Thread#1" count together. From {@code jcmd PID Thread.print}, which gives each thread's
     * {@code cpu=}; empty when that fails. Threads that have ended are not counted.
     */
    public static Map<String, Double> byThreadKind(long pid) {
        Map<String, Double> seconds = new TreeMap<>();
        Jcmd.Result dump = Jcmd.run(pid, Duration.ofMinutes(1), "Thread.print");
        if (!dump.ok()) {
            return seconds;
        }
        Matcher m = THREAD.matcher(dump.output());
        while (m.find()) {
            seconds.merge(kind(m.group(1)), Double.parseDouble(m.group(2)) / 1000, Double::sum);
        }
        return seconds;
    }

    private static final Pattern THREAD = Pattern.compile("(?m)^\"([^\"]*)\".*? cpu=([0-9.]+)ms");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static String kind(String threadName) {
        // "kafka-producer-network-thread | s7-fuzzed-<uuid>-StreamThread-1-producer" -> "kafka-producer-network-thread | StreamThread-producer"
        return UUID.matcher(threadName).replaceAll("*").replaceAll("[^ |]*\\*-", "").replaceAll("[-#][0-9]+", "").replaceAll("[-#_ ]*[0-9]+$", "");
    }
}
