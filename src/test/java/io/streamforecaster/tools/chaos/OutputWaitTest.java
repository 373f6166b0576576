package io.streamforecaster.tools.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix stopped reading the output the moment nothing expected was missing, so a
 * duplicate still on its way was never counted: "0 duplicated" was not a drained figure.
 */
class OutputWaitTest {

    static final long S = 1_000_000_000L;

    @Test
    void shouldGoOnReadingForTheDrainOnceNothingIsMissing() {
        OutputWait w = new OutputWait(Duration.ofSeconds(3), Duration.ofSeconds(60), 0);
        assertEquals(OutputWait.Outcome.WAIT, w.look(99, false, 1 * S));
        assertEquals(OutputWait.Outcome.WAIT, w.look(100, true, 2 * S), "everything came: a duplicate may still be on its way");
        assertEquals(OutputWait.Outcome.WAIT, w.look(101, true, 4 * S), "a duplicate came");
        assertEquals(OutputWait.Outcome.WAIT, w.look(101, true, 4 * S + S / 2), "not a second without output yet");
        assertEquals(OutputWait.Outcome.DONE, w.look(101, true, 5 * S + S / 2));
    }

    @Test
    void shouldStopShortWhenNothingCameForTheQuietTime() {
        OutputWait w = new OutputWait(Duration.ofSeconds(3), Duration.ofSeconds(10), 0);
        assertEquals(OutputWait.Outcome.WAIT, w.look(50, false, 1 * S));
        assertEquals(OutputWait.Outcome.WAIT, w.look(50, false, 10 * S));
        assertEquals(OutputWait.Outcome.STOPPED_SHORT, w.look(50, false, 12 * S));
    }

    /** Output that keeps coming (a replay going on) ends the drain after ten times its length, not never. */
    @Test
    void shouldEndTheDrainWhenOutputKeepsComing() {
        OutputWait w = new OutputWait(Duration.ofSeconds(3), Duration.ofSeconds(60), 0);
        long n = 100;
        assertEquals(OutputWait.Outcome.WAIT, w.look(n, true, 0));
        for (long t = S / 2; t < 30 * S; t += S / 2) {
            assertEquals(OutputWait.Outcome.WAIT, w.look(++n, true, t), "at " + t);
        }
        assertEquals(OutputWait.Outcome.DONE, w.look(++n, true, 30 * S));
    }
}
