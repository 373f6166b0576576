package io.streamforecaster.tools.chaos;

import java.time.Duration;

/**
 * When a run has read its output: once every expected record has come and then {@code drain} has
 * passed with nothing new for a second (duplicates still on their way are counted too: the tally is
 * drained, not taken at the first moment nothing was missing), or ten times {@code drain} has
 * passed whatever still comes (a replay that goes on); or once nothing new came for {@code quiet}
 * while records are missing (the figures then show what is missing).
 */
final class OutputWait {

    /** What one look at the output decided. */
    enum Outcome { WAIT, DONE, STOPPED_SHORT }

    private final long drain;
    private final long quiet;
    private long count = -1;
    private long changedAt;
    private long completeAt = Long.MIN_VALUE;

    OutputWait(Duration drain, Duration quiet, long now) {
        this.drain = drain.toNanos();
        this.quiet = quiet.toNanos();
        this.changedAt = now;
    }

    /**
     * @param observed the records read so far
     * @param complete whether every expected record has come
     * @param now {@link System#nanoTime()}
     */
    Outcome look(long observed, boolean complete, long now) {
        boolean changed = observed != count;
        if (changed) {
            count = observed;
            changedAt = now;
        }
        if (complete) {
            if (completeAt == Long.MIN_VALUE) {
                completeAt = now;
            }
            boolean drained = now - completeAt >= drain && now - changedAt >= 1_000_000_000L;
            return drained || now - completeAt >= 10 * drain ? Outcome.DONE : Outcome.WAIT;
        }
        completeAt = Long.MIN_VALUE;
        return !changed && now - changedAt > quiet ? Outcome.STOPPED_SHORT : Outcome.WAIT;
    }
}
