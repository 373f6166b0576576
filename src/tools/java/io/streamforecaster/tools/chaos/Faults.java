package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The faults a run injected, when, and what each cost: the stall (the longest time without any
 * forecast at all, from the fault until forecasts flow for new events) and the time to recover
 * (from the fault until every key has had a forecast of an event sent after it).
 */
final class Faults {

    record Fault(String what, long atNanos) {
    }

    /** One fault's cost; -1 where forecasts never came. */
    record Cost(Fault fault, long stallNanos, long recoverNanos) {
    }

    private final List<Fault> faults = new ArrayList<>();

    long inject(String what) {
        long now = System.nanoTime();
        faults.add(new Fault(what, now));
        return now;
    }

    int count() {
        return faults.size();
    }

    long lastNanos() {
        return faults.isEmpty() ? Long.MIN_VALUE : faults.get(faults.size() - 1).atNanos();
    }

    /** Whether forecasts flow again for events sent after the last fault. */
    boolean recovered(Ledger ledger) {
        return faults.isEmpty() || ledger.newestInputForecastNanos() > lastNanos();
    }

    List<Cost> costs(Ledger ledger) {
        List<Cost> out = new ArrayList<>();
        for (Fault f : faults) {
            long flowing = ledger.firstForecastOfInputSentAfter(f.atNanos());
            long stall = flowing < 0 ? -1 : ledger.arrivals().longestGap(f.atNanos(), flowing);
            long everyKey = ledger.everyKeyForecastAfter(f.atNanos());
            long recovered = everyKey > 0 ? everyKey : flowing;
            out.add(new Cost(f, stall, recovered < 0 ? -1 : recovered - f.atNanos()));
        }
        return out;
    }

    Duration longestRecovery(Ledger ledger) {
        if (faults.isEmpty()) {
            return null;
        }
        long longest = 0;
        for (Cost c : costs(ledger)) {
            if (c.recoverNanos() < 0) {
                return ChronoForever.VALUE;
            }
            longest = Math.max(longest, c.recoverNanos());
        }
        return Duration.ofNanos(longest);
    }

    /** One line per fault: what, stall, time to recover. */
    List<String> describe(Ledger ledger) {
        List<String> lines = new ArrayList<>();
        int i = 1;
        for (Cost c : costs(ledger)) {
            lines.add(String.format(Locale.ROOT, "fault %d (%s): no forecast at all for %s, every key forecast again after %s", i++, c.fault().what(),
                    seconds(c.stallNanos()), seconds(c.recoverNanos())));
        }
        return lines;
    }

    /** The stalls, in seconds, one per fault (for the summary line). */
    String stalls(Ledger ledger) {
        StringBuilder s = new StringBuilder();
        for (Cost c : costs(ledger)) {
            s.append(s.length() == 0 ? "" : ", ").append(c.stallNanos() < 0 ? "never" : String.format(Locale.ROOT, "%.1f", c.stallNanos() / 1e9));
        }
        return s.toString();
    }

    static String seconds(long nanos) {
        return nanos < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** A duration that stands for "never" in the figures. */
    static final class ChronoForever {
        static final Duration VALUE = Duration.ofDays(365);

        private ChronoForever() {
        }
    }
}
