package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one chaos run, as RELIABILITY.md reports them.
 *
 * @param eventsSent good records (observations) the broker acknowledged
 * @param badSent bad records the broker acknowledged
 * @param faults faults injected
 * @param forecastsExpected forecasts the contract promises for the events sent
 * @param forecastsObserved forecast records read (read_committed), duplicates included
 * @param lost expected forecasts that never came
 * @param duplicated forecast records beyond the first for the same event
 * @param unexpected events with a forecast the contract does not promise (a key's first n-steps - 1 events seen again after a crash)
 * @param deadLetters dead-letter records read
 * @param badWithoutDeadLetter bad records with no dead letter
 * @param deadLettersDuplicated dead letters beyond the first for the same bad record
 * @param goodDeadLettered good records that ended in the dead-letter topic
 * @param retrains models trained again because of the faults; -1 where the run cannot tell
 * @param threadDeaths stream threads that died, over all the instances' lives
 * @param longestStall the longest any event waited for its forecast, from its sending (null where the input was a backlog)
 * @param timeToRecover the longest time from a fault until every key had a forecast of an event sent after it
 * @param notes what else the run measured (per-fault stalls, REST answers...)
 * @param misses the goal figures this run missed, each in words (empty: every goal held)
 */
public record Figures(String scenario, String run, long eventsSent, long badSent, int faults, long forecastsExpected,
                      long forecastsObserved, long lost, long duplicated, long unexpected, long deadLetters,
                      long badWithoutDeadLetter, long deadLettersDuplicated, long goodDeadLettered, long retrains,
                      long threadDeaths, Duration longestStall, Duration timeToRecover, List<String> notes,
                      List<String> misses) {

    static final String HEADER = "| scenario | run | events sent | bad records sent | faults | forecasts expected | forecasts observed "
            + "| lost | duplicated | dead letters (bad without one) | retrains caused by faults | thread deaths | longest stall | time to recover |";
    static final String RULE = "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    /**
     * The figures of a run, checked against the goals every run has (nothing lost, every bad record
     * dead-lettered and no good one, no thread death), those of exactly-once (nothing twice), and
     * the scenario's own ({@code misses}).
     */
    static Figures of(String scenario, String run, Ledger.Tally t, int faults, long retrains, long threadDeaths,
                      Duration longestStall, Duration timeToRecover, List<String> notes, boolean exactlyOnce, List<String> misses) {
        List<String> all = new ArrayList<>();
        if (t.lost() > 0) {
            all.add(t.lost() + " forecasts lost");
        }
        if (t.badWithoutDeadLetter() > 0) {
            all.add(t.badWithoutDeadLetter() + " bad records without a dead letter " + t.badMissingByCategory());
        }
        if (t.goodDeadLettered() > 0) {
            all.add(t.goodDeadLettered() + " good records dead-lettered");
        }
        if (t.deadLettersWithoutReason() > 0) {
            all.add(t.deadLettersWithoutReason() + " dead letters without a reason");
        }
        if (threadDeaths > 0) {
            all.add(threadDeaths + " stream-thread deaths");
        }
        if (t.unmatched() > 0) {
            all.add(t.unmatched() + " output records that match no input record");
        }
        if (exactlyOnce && (t.duplicated() > 0 || t.unexpected() > 0 || t.badDeadLetteredTwice() > 0)) {
            all.add("exactly-once: " + t.duplicated() + " duplicated forecasts, " + t.unexpected() + " unexpected, "
                    + t.badDeadLetteredTwice() + " duplicated dead letters");
        }
        all.addAll(misses);
        return new Figures(scenario, run, t.goodSent(), t.badSent(), faults, t.forecastsExpected(), t.forecastsObserved(),
                t.lost(), t.duplicated(), t.unexpected(), t.deadLetters(), t.badWithoutDeadLetter(), t.badDeadLetteredTwice(),
                t.goodDeadLettered(), retrains, threadDeaths, longestStall, timeToRecover, notes, List.copyOf(all));
    }

    public boolean held() {
        return misses.isEmpty();
    }

    String row() {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %d | %,d | %,d | %,d | %,d | %,d (%,d) | %s | %d | %s | %s |",
                scenario, run, eventsSent, badSent, faults, forecastsExpected, forecastsObserved, lost, duplicated,
                deadLetters, badWithoutDeadLetter, retrains < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", retrains),
                threadDeaths, seconds(longestStall), seconds(timeToRecover));
    }

    static String seconds(Duration d) {
        if (d != null && d.compareTo(Faults.ChronoForever.VALUE) >= 0) {
            return "never";
        }
        return d == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
