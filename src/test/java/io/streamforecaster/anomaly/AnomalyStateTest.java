package io.streamforecaster.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.anomaly.AnomalyOutcome.Cause;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The anomaly part on hand-made inputs: each of its parts, the quiet periods and the encoding. */
class AnomalyStateTest {

    static final AnomalySettings S = AnomalySettings.defaults();
    static final double NAN = Double.NaN;

    /** Feeds values with no forecast (only the value parts can score), each with the previous as its naive forecast. */
    static final class Feed {
        final AnomalyState state = new AnomalyState();
        final List<AnomalyOutcome> outcomes = new ArrayList<>();
        double previous = NAN;

        AnomalyOutcome value(double v) {
            return value(v, NAN, NAN);
        }

        AnomalyOutcome value(double v, double forecast, double halfWidth) {
            AnomalyOutcome o = state.step(new AnomalyInput(v, forecast, halfWidth, previous), S);
            previous = v;
            outcomes.add(o);
            return o;
        }

        int firstAnomalyFrom(int from) {
            for (int i = from; i < outcomes.size(); i++) {
                if (outcomes.get(i).anomaly()) {
                    return i;
                }
            }
            return -1;
        }
    }

    static double beyondScore(double share) {
        return 0.5 + 0.5 * share / (share + S.rangeScale());
    }

    @Test
    void shouldScoreNothingWhileWarmingUp() {
        Feed feed = new Feed();
        for (int i = 0; i < S.warmUp(); i++) {
            AnomalyOutcome o = feed.value(i % 2 == 0 ? 0 : 1);
            assertEquals(0.0, o.score(), "observation " + i);
            assertEquals(Cause.NONE, o.cause());
        }
        AnomalyOutcome o = feed.value(3); // the first after the warm-up: twice the range beyond it
        assertTrue(o.anomaly());
        assertEquals(Cause.RANGE, o.cause());
    }

    /** With no warm-up, the first value was judged against a range of [0, 0] the key never had, and its first error against no earlier one: 1. */
    @Test
    void shouldNotScoreAKeysFirstValueOrFirstErrorEvenWithoutAWarmUp() {
        AnomalySettings none = new AnomalySettings(S.threshold(), 0, S.memory(), S.averagingWindow(), S.levelWindow(),
                S.volatilityWindow(), S.rangeScale(), S.quiet());
        AnomalyState state = new AnomalyState();
        AnomalyOutcome first = state.step(new AnomalyInput(42, 40, NAN, NAN), none);
        assertEquals(0.0, first.score(), "the first value, its forecast 2 off");
        assertEquals(Cause.NONE, first.cause());
        AnomalyOutcome second = state.step(new AnomalyInput(42, 41, NAN, 42), none);
        assertFalse(second.anomaly(), "the same value again, half the first error: " + second);
        assertTrue(second.score() < 0.5, "judged against the first error now: " + second);
    }

    @Test
    void shouldScoreAValueBeyondTheRangeByHowFarBeyondIt() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(i < 100 ? 0 : 100); // range [0, 100]; the level went from 0 to 100 too
        }
        // 110 lies 0.1 of the range beyond it; the level moves only to 100 + 10 * 2 / 31 (0.0065 of its range beyond)
        AnomalyOutcome o = feed.value(110);
        assertEquals(beyondScore(0.1), o.score(), 1e-12);
        assertEquals(Cause.RANGE, o.cause());
        assertTrue(Double.isNaN(o.surprise()));
    }

    /**
     * A metric that stays flat (an error count at 0, a queue at its limit) and then moves is the
     * anomaly such a key can have: its range, level and volatility had no width and its forecasts
     * made no error, so every part measured the move against 0 and scored nothing.
     */
    @Test
    void shouldScoreAMoveOfAKeyThatNeverMovedBefore() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(5, 5, 0); // served 5, exactly right
        }
        AnomalyOutcome spike = feed.value(1000, 5, 0);
        assertTrue(spike.anomaly(), spike.toString());
        assertEquals(1.0, spike.score());
    }

    /** A range too narrow to measure against gives a score, never NaN. */
    @Test
    void shouldKeepTheScoreFiniteOverARangeTooNarrowToMeasure() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(i % 2 == 0 ? 0 : 1e-320, 0, 0);
        }
        AnomalyOutcome o = feed.value(1, 0, 0);
        assertTrue(Double.isFinite(o.score()), o.toString());
        assertTrue(o.anomaly());
    }

    @Test
    void shouldScoreALevelShiftThatStaysWithinTheRange() {
        Feed feed = new Feed();
        feed.value(0); // the level starts at the first value
        for (int i = 1; i < 400; i++) {
            feed.value(i % 2 == 0 ? 10 : -10); // range [-10, 10], the level within 0.7 of 0
        }
        for (int i = 0; i < 100; i++) {
            feed.value(i % 2 == 0 ? 10 : 6); // a new level, 8, inside the range
        }
        int at = feed.firstAnomalyFrom(400);
        assertTrue(at > 400 && at < 440, "first anomaly at " + at);
        assertEquals(Cause.LEVEL, feed.outcomes.get(at).cause());
    }

    @Test
    void shouldScoreAVolatilityAboveAnyTheKeyHasHad() {
        Feed feed = new Feed();
        for (int i = 0; i < 400; i++) {
            feed.value(i == 5 ? 20 : i == 6 ? -20 : i % 2 == 0 ? 1 : -1); // range [-20, 20] in the warm-up
        }
        for (int i = 0; i < 100; i++) {
            feed.value(i % 2 == 0 ? 3 : -3); // three times the changes, inside the range
        }
        int at = feed.firstAnomalyFrom(400);
        assertTrue(at > 400 && at < 460, "first anomaly at " + at);
        assertEquals(Cause.VOLATILITY, feed.outcomes.get(at).cause());
    }

    @Test
    void shouldScoreAForecastErrorAgainstTheKeysLargestRecentError() {
        Feed feed = new Feed();
        // forecast 0: a first error of 2 (the peak), then errors of 1 for 299 observations
        feed.value(2, 0, 1);
        for (int i = 1; i < 300; i++) {
            assertFalse(feed.value(i % 2 == 0 ? 1 : -1, 0, 1).anomaly(), "observation " + i);
        }
        // inside the range, but the forecast was -1.9 with half-width 0.5: an error of 3.8
        // against the peak 2 faded over the 299 observations since
        AnomalyOutcome o = feed.value(1.9, -1.9, 0.5);
        double r = 3.8 / (2 * Math.pow(S.decay(), 299));
        assertEquals(r / (1 + r), o.score(), 1e-12);
        assertEquals(3.8 / 0.5, o.surprise(), 1e-12);
        assertEquals(Cause.FORECAST, o.cause());
        assertTrue(o.anomaly());
    }

    @Test
    void shouldHoldAPartQuietAfterAnAnomalyUntilItGoesQuietObservationsWithoutAnother() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(i % 2 == 0 ? 1 : -1, 0, 1); // errors of 1
        }
        assertTrue(feed.value(0.5, 10, 1).anomaly()); // an error of 9.5
        assertEquals(AnomalyState.QUIET_SCORE, feed.value(0.5, 20, 1).score(), 1e-12); // bigger still, held quiet: and re-arms it
        for (int i = 0; i < S.quiet() - 1; i++) {
            AnomalyOutcome o = feed.value(i % 2 == 0 ? 1 : -1, 0, 1);
            assertTrue(o.score() <= AnomalyState.QUIET_SCORE, "observation " + i + " of the quiet period: " + o);
        }
        assertEquals(AnomalyState.QUIET_SCORE, feed.value(0.5, 30, 1).score(), 1e-12); // the last quiet one
        assertTrue(feed.value(0.5, 30, 1).score() <= AnomalyState.QUIET_SCORE); // re-armed again
        for (int i = 0; i < S.quiet(); i++) {
            feed.value(i % 2 == 0 ? 1 : -1, 0, 1);
        }
        assertTrue(feed.value(0.5, 100, 1).anomaly()); // an error over three times the faded peak of 29.5
    }

    @Test
    void shouldReportAMissOfAZeroWidthIntervalAsAnInfiniteSurprise() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(i % 2 == 0 ? 1 : -1, 0, 1);
        }
        AnomalyOutcome o = feed.value(0.5, 0, 0);
        assertEquals(Double.POSITIVE_INFINITY, o.surprise());
        assertFalse(o.anomaly()); // an error of 0.5 is no record here
    }

    @Test
    void shouldIgnoreANonFiniteValue() {
        Feed feed = new Feed();
        for (int i = 0; i < 300; i++) {
            feed.value(i % 2);
        }
        AnomalyOutcome o = feed.state.step(new AnomalyInput(NAN, 0, 1, 1), S);
        assertEquals(new AnomalyOutcome(0, false, NAN, Cause.NONE), o);
        assertEquals(Cause.RANGE, feed.value(3).cause()); // and learnt nothing from it
    }

    @Test
    void shouldGoOnExactlyAsBeforeAfterAnEncodingRoundTrip() {
        Random r = new Random(4);
        AnomalyState original = new AnomalyState();
        double previous = NAN;
        for (int i = 0; i < 700; i++) {
            double v = r.nextGaussian();
            original.step(new AnomalyInput(v, r.nextGaussian() * 0.1, 1.5, previous), S);
            previous = v;
        }
        original.step(new AnomalyInput(30, 0, 1.5, previous), S); // quiet periods from here
        ByteBuffer b = ByteBuffer.allocate(original.encodedBytes());
        original.write(b);
        assertEquals(AnomalyState.BYTES, b.position());
        AnomalyState copy = AnomalyState.read(b.flip());
        previous = 30;
        for (int i = 0; i < 400; i++) {
            double v = r.nextGaussian() * (i > 150 ? 5 : 1) + (i > 300 ? 20 : 0);
            AnomalyInput in = new AnomalyInput(v, 0, 1.5, previous);
            assertEquals(original.step(in, S), copy.step(in, S), "observation " + i);
            previous = v;
        }
    }

    @Test
    void shouldRefuseAnUnknownVersionOrATruncatedEncoding() {
        ByteBuffer b = ByteBuffer.allocate(AnomalyState.BYTES);
        new AnomalyState().write(b);
        byte[] bytes = b.array();
        bytes[0] = 9;
        var e = assertThrows(IllegalArgumentException.class, () -> AnomalyState.read(ByteBuffer.wrap(bytes)));
        assertEquals("Unknown anomaly state version 9 (this build reads 1)", e.getMessage());
        bytes[0] = AnomalyState.VERSION;
        e = assertThrows(IllegalArgumentException.class, () -> AnomalyState.read(ByteBuffer.wrap(bytes, 0, 20)));
        assertEquals("Anomaly state is truncated", e.getMessage());
    }

    static String invalid(double threshold, int warmUp, int memory, int averaging, int level, int volatility, double scale, int quiet) {
        return assertThrows(IllegalArgumentException.class,
                () -> new AnomalySettings(threshold, warmUp, memory, averaging, level, volatility, scale, quiet)).getMessage();
    }

    @Test
    void shouldNameTheSettingThatIsInvalid() {
        var d = S;
        assertEquals("Invalid forecaster.anomaly.threshold = 0.3: must be above 0.3 and at most 1",
                invalid(0.3, d.warmUp(), d.memory(), d.averagingWindow(), d.levelWindow(), d.volatilityWindow(), d.rangeScale(), d.quiet()));
        assertTrue(invalid(d.threshold(), -1, d.memory(), d.averagingWindow(), d.levelWindow(), d.volatilityWindow(), d.rangeScale(), d.quiet())
                .startsWith("Invalid forecaster.anomaly.warm-up = -1"));
        assertTrue(invalid(d.threshold(), d.warmUp(), 0, d.averagingWindow(), d.levelWindow(), d.volatilityWindow(), d.rangeScale(), d.quiet())
                .startsWith("Invalid forecaster.anomaly.memory = 0"));
        assertTrue(invalid(d.threshold(), d.warmUp(), d.memory(), 0, d.levelWindow(), d.volatilityWindow(), d.rangeScale(), d.quiet())
                .startsWith("Invalid forecaster.anomaly.averaging-window = 0"));
        assertTrue(invalid(d.threshold(), d.warmUp(), d.memory(), d.averagingWindow(), 0, d.volatilityWindow(), d.rangeScale(), d.quiet())
                .startsWith("Invalid forecaster.anomaly.level-window = 0"));
        assertTrue(invalid(d.threshold(), d.warmUp(), d.memory(), d.averagingWindow(), d.levelWindow(), 0, d.rangeScale(), d.quiet())
                .startsWith("Invalid forecaster.anomaly.volatility-window = 0"));
        assertTrue(invalid(d.threshold(), d.warmUp(), d.memory(), d.averagingWindow(), d.levelWindow(), d.volatilityWindow(), NAN, d.quiet())
                .startsWith("Invalid forecaster.anomaly.range-scale = NaN"));
        assertTrue(invalid(d.threshold(), d.warmUp(), d.memory(), d.averagingWindow(), d.levelWindow(), d.volatilityWindow(), d.rangeScale(), 40000)
                .startsWith("Invalid forecaster.anomaly.quiet = 40000"));
    }
}
