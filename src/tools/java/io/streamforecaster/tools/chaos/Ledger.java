package io.streamforecaster.tools.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a chaos run sent and what came out for it, one slot per input record. Every record gets a
 * unique sequence number and the record timestamp {@code t0 + seq}; a forecast carries the
 * timestamp of the observation it followed (the contract), and a dead letter keeps the record's own,
 * so each output record maps back to exactly one input record.
 *
 * <p>Threads: the sender writes the send side ({@link #planned}, {@link #sent}, {@link #acked}), the
 * collector the output side; {@link #tally} runs once both have stopped.
 */
public final class Ledger {

    /** A record that is not a series observation: it must end in the dead-letter topic. */
    public static final int BAD = -1;

    private static final byte UNSENT = 0;
    private static final byte ACKED = 1;
    private static final byte FAILED = 2;

    private final long t0;
    private final int nSteps;
    private final List<byte[]> keys;
    private final int capacity;
    private final int[] series;
    private final short[] category;
    private final List<String> categories = new ArrayList<>();
    private final AtomicLongArray sentNanos;
    private final byte[] status;
    private final int[] forecasts;
    private final int[] deadLetters;
    private final long[] firstOutNanos;
    private final String[] reasons;
    private final byte[][] forecastBytes;
    private final Arrivals arrivals = new Arrivals();
    private long unmatched;
    private volatile long forecastsSeen;
    private volatile long deadLettersSeen;
    private volatile int plannedCount;
    private volatile long newestInputForecastNanos;
    /** Per series: from which sequence number its history starts afresh (a lost store record), and how many events then go without a forecast. */
    private final Map<Integer, int[]> freshFrom = new java.util.HashMap<>();

    /**
     * @param keys the series' keys (UTF-8), by series index
     * @param capacity records the run may send
     * @param nSteps the service's {@code n-steps}: a key's first {@code nSteps - 1} accepted events get no forecast
     * @param keepForecasts keep every forecast's bytes (to compare two runs)
     */
    public Ledger(long t0, List<byte[]> keys, int capacity, int nSteps, boolean keepForecasts) {
        this.t0 = t0;
        this.keys = keys;
        this.capacity = capacity;
        this.nSteps = nSteps;
        this.series = new int[capacity];
        this.category = new short[capacity];
        this.sentNanos = new AtomicLongArray(capacity);
        this.status = new byte[capacity];
        this.forecasts = new int[capacity];
        this.deadLetters = new int[capacity];
        this.firstOutNanos = new long[capacity];
        this.reasons = new String[capacity];
        this.forecastBytes = keepForecasts ? new byte[capacity][] : null;
        categories.add("good");
    }

    public int capacity() {
        return capacity;
    }

    public long timestamp(long seq) {
        return t0 + seq;
    }

    public byte[] key(int seriesIndex) {
        return keys.get(seriesIndex);
    }

    /** Sender: record {@code seq} is about to be sent, for series {@code seriesIndex} or {@link #BAD} of this category. */
    void planned(int seq, int seriesIndex, String badCategory) {
        series[seq] = seriesIndex;
        if (seriesIndex == BAD) {
            int c = categories.indexOf(badCategory);
            if (c < 0) {
                categories.add(badCategory);
                c = categories.size() - 1;
            }
            category[seq] = (short) c;
        }
        sentNanos.set(seq, System.nanoTime());
        plannedCount = seq + 1;
    }

    /** Producer callback: the broker has it, or it was never written. */
    void acked(int seq, boolean ok) {
        status[seq] = ok ? ACKED : FAILED;
    }

    long sentNanos(int seq) {
        return sentNanos.get(seq);
    }

    /** Collector: a forecast record with this key and timestamp arrived now. */
    void forecast(byte[] key, long timestamp, byte[] value, long nanos) {
        forecastsSeen++;
        arrivals.add(nanos);
        long seq = timestamp - t0;
        if (seq < 0 || seq >= capacity || series[(int) seq] == BAD || !Arrays.equals(keys.get(series[(int) seq]), key)) {
            unmatched++;
            return;
        }
        int s = (int) seq;
        if (forecasts[s]++ == 0) {
            firstOutNanos[s] = nanos;
            if (forecastBytes != null) {
                forecastBytes[s] = value;
            }
        }
        long sent = sentNanos.get(s);
        if (sent > newestInputForecastNanos) {
            newestInputForecastNanos = sent;
        }
    }

    /** Collector: a dead letter for the record with this timestamp arrived, with this reason (null if none). */
    void deadLetter(long timestamp, String reason) {
        deadLettersSeen++;
        long seq = timestamp - t0;
        if (seq < 0 || seq >= capacity) {
            unmatched++;
            return;
        }
        deadLetters[(int) seq]++;
        reasons[(int) seq] = reason;
    }

    /** The send time of the newest input that has a forecast: past a fault's time, forecasts flow again. */
    long newestInputForecastNanos() {
        return newestInputForecastNanos;
    }

    /**
     * When the first forecast of an event sent after {@code nanos} arrived (nanoTime), or -1: from
     * then on, forecasts flow for new data.
     */
    long firstForecastOfInputSentAfter(long nanos) {
        int n = plannedCount;
        int lo = 0;
        int hi = n; // first seq sent after nanos: records are sent in order
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sentNanos.get(mid) > nanos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        long first = -1;
        for (int s = lo; s < n; s++) {
            if (forecasts[s] > 0 && (first < 0 || firstOutNanos[s] < first)) {
                first = firstOutNanos[s];
            }
        }
        return first;
    }

    /**
     * When every series had a forecast of an event sent after {@code nanos} (the latest of each
     * key's first such forecast, nanoTime), or -1 while some key has none.
     */
    long everyKeyForecastAfter(long nanos) {
        long[] first = new long[keys.size()];
        int n = plannedCount;
        for (int s = 0; s < n; s++) {
            int k = series[s];
            if (k != BAD && sentNanos.get(s) > nanos && forecasts[s] > 0 && (first[k] == 0 || firstOutNanos[s] < first[k])) {
                first[k] = firstOutNanos[s];
            }
        }
        long latest = -1;
        for (long f : first) {
            if (f == 0) {
                return -1;
            }
            latest = Math.max(latest, f);
        }
        return latest;
    }

    /**
     * The longest any event waited for its forecast: from when it was sent to when its first
     * forecast arrived (null if none came). A stall shows here whichever keys it hit.
     */
    java.time.Duration longestWait() {
        boolean[] expected = expectedForecasts();
        long longest = -1;
        for (int s = 0; s < plannedCount; s++) {
            if (expected[s] && forecasts[s] > 0) {
                longest = Math.max(longest, firstOutNanos[s] - sentNanos.get(s));
            }
        }
        return longest < 0 ? null : java.time.Duration.ofNanos(longest);
    }

    /** Each expected event's wait for its forecast (send to first arrival, ns), from record {@code fromSeq} on, sorted. */
    long[] waits(int fromSeq) {
        boolean[] expected = expectedForecasts();
        long[] out = new long[plannedCount];
        int n = 0;
        for (int s = fromSeq; s < plannedCount; s++) {
            if (expected[s] && forecasts[s] > 0) {
                out[n++] = firstOutNanos[s] - sentNanos.get(s);
            }
        }
        out = java.util.Arrays.copyOf(out, n);
        java.util.Arrays.sort(out);
        return out;
    }

    long forecastsSeen() {
        return forecastsSeen;
    }

    Arrivals arrivals() {
        return arrivals;
    }

    /** The forecast bytes of every good record that had one, by sequence number (null where none). */
    byte[][] forecastBytes() {
        return forecastBytes;
    }

    /**
     * The key's history starts afresh at record {@code fromSeq} (its stored state was lost): its
     * first n-steps - 1 events from there get no forecast, as for a new key.
     */
    void freshHistory(int seriesIndex, int fromSeq, int nSteps) {
        freshFrom.put(seriesIndex, new int[] {fromSeq, nSteps});
    }

    /** Forecasts that came for record {@code seq}. */
    int forecastCount(int seq) {
        return forecasts[seq];
    }

    /** Whether each record was a good one the contract gives a forecast. */
    boolean[] expectedForecasts() {
        boolean[] expected = new boolean[capacity];
        int[] accepted = new int[keys.size()];
        int[] skip = new int[keys.size()];
        java.util.Arrays.fill(skip, nSteps - 1);
        boolean[] reset = new boolean[keys.size()];
        for (int s = 0; s < capacity; s++) {
            if (status[s] == ACKED && series[s] != BAD) {
                int k = series[s];
                int[] fresh = freshFrom.get(k);
                if (fresh != null && s >= fresh[0] && !reset[k]) {
                    reset[k] = true;
                    accepted[k] = 0;
                    skip[k] = fresh[1] - 1;
                }
                expected[s] = accepted[k]++ >= skip[k];
            }
        }
        return expected;
    }

    /** Counts what was sent and what came out. */
    public Tally tally() {
        boolean[] expected = expectedForecasts();
        long good = 0;
        long bad = 0;
        long failed = 0;
        long expectedCount = 0;
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        long goodDeadLettered = 0;
        long badMissing = 0;
        long badDuplicated = 0;
        long badWithoutReason = 0;
        long badForecast = 0;
        Map<String, Long> reasonCounts = new TreeMap<>();
        Map<String, Long> missingByCategory = new TreeMap<>();
        List<Integer> lostSample = new ArrayList<>();
        for (int s = 0; s < capacity; s++) {
            if (status[s] == FAILED) {
                failed++;
            }
            if (status[s] != ACKED) {
                continue;
            }
            duplicated += Math.max(0, forecasts[s] - 1);
            if (series[s] != BAD) {
                good++;
                if (expected[s]) {
                    expectedCount++;
                    if (forecasts[s] == 0) {
                        lost++;
                        if (lostSample.size() < 10) {
                            lostSample.add(s);
                        }
                    }
                } else if (forecasts[s] > 0) {
                    unexpected++;
                }
                if (deadLetters[s] > 0) {
                    goodDeadLettered++;
                    reasonCounts.merge("good record: " + reasons[s], 1L, Long::sum);
                }
            } else {
                bad++;
                String cat = categories.get(category[s]);
                if (deadLetters[s] == 0) {
                    badMissing++;
                    missingByCategory.merge(cat, 1L, Long::sum);
                } else {
                    badDuplicated += deadLetters[s] - 1;
                    if (reasons[s] == null || reasons[s].isEmpty()) {
                        badWithoutReason++;
                    } else {
                        reasonCounts.merge(reasons[s], 1L, Long::sum);
                    }
                }
                if (forecasts[s] > 0) {
                    badForecast++;
                }
            }
        }
        return new Tally(good, bad, failed, expectedCount, forecastsSeen, lost, duplicated, unexpected, deadLettersSeen,
                badMissing, badDuplicated, badWithoutReason, badForecast, goodDeadLettered, unmatched, reasonCounts,
                missingByCategory, lostSample);
    }

    /** What a run sent and what came out, counted. */
    public record Tally(long goodSent, long badSent, long sendFailures, long forecastsExpected, long forecastsObserved,
                        long lost, long duplicated, long unexpected, long deadLetters, long badWithoutDeadLetter,
                        long badDeadLetteredTwice, long deadLettersWithoutReason, long badWithForecast,
                        long goodDeadLettered, long unmatched, Map<String, Long> reasons,
                        Map<String, Long> badMissingByCategory, List<Integer> lostSample) {
    }

    /** Arrival times (nanoTime) of forecasts, in order; written by the collector only. */
    static final class Arrivals {
        private long[] times = new long[1 << 16];
        private volatile int size;

        void add(long nanos) {
            if (size == times.length) {
                times = Arrays.copyOf(times, times.length * 2);
            }
            times[size] = nanos;
            size = size + 1;
        }

        /** The first arrival at or after {@code nanos}, or -1. */
        long firstAtOrAfter(long nanos) {
            int n = size;
            int i = Arrays.binarySearch(times, 0, n, nanos);
            i = i >= 0 ? i : -i - 1;
            return i < n ? times[i] : -1;
        }

        /** The longest gap between consecutive arrivals within [from, to], counting from {@code from} to the first. */
        long longestGap(long from, long to) {
            int n = size;
            long prev = from;
            long longest = 0;
            int i = Arrays.binarySearch(times, 0, n, from);
            i = i >= 0 ? i : -i - 1;
            for (; i < n && times[i] <= to; i++) {
                longest = Math.max(longest, times[i] - prev);
                prev = times[i];
            }
            return longest;
        }

        int size() {
            return size;
        }

        /** The arrival of index {@code i} (0 is the first), in order of arrival. */
        long at(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException("arrival " + i + " of " + size);
            }
            return times[i];
        }

        /** The last arrival, or -1. */
        long last() {
            int n = size;
            return n == 0 ? -1 : times[n - 1];
        }

        /** The longest time between two forecasts, from the first to the last (null if none came). */
        java.time.Duration longestStall() {
            return size == 0 ? null : java.time.Duration.ofNanos(longestGap(times[0], Long.MAX_VALUE));
        }
    }
}
