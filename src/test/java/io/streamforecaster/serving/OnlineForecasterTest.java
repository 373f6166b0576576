package io.streamforecaster.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InputSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.stream.Forecast;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnlineForecasterTest {

    static final TrainingSettings T = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);

    static StreamSettings settings(ServingSettings serving) {
        return new StreamSettings("in", "out", "dlq", 64, ColdStart.NAIVE, 8, 4, Duration.ofMinutes(1), Duration.ofSeconds(1),
                50, InputSettings.defaults(), T, serving, ModelScope.PER_KEY, 256);
    }

    static final ServingSettings DEFAULTS = ServingSettings.defaults();

    /** A ramp with steps of 1: a model adding 1 to the last value is exact, naive is off by 1. */
    static void feedRamp(OnlineForecaster online, SeriesState state, int from, int count, ModelSnapshot model) {
        for (int i = from; i < from + count; i++) {
            online.observe(state, new double[] {i}, i, model);
        }
    }

    @Test
    void shouldServeAModelThatBeatsNaive() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        ModelSnapshot exact = TestModels.offset(T, 1, 1, 0);

        feedRamp(online, state, 0, 60, exact);

        assertEquals(Source.LSTM, state.latest().source());
        assertEquals(60.0, state.latest().values()[0], 1e-6);
        assertFalse(state.judgement().fallback());
        assertEquals(0.0, state.judgement().modelMae(), 1e-6);
        assertEquals(1.0, state.judgement().naiveMae(), 1e-9);
    }

    @Test
    void shouldFallBackToNaiveWhileTheModelDoesWorseThanNaiveAndComeBackWithABetterModel() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        ModelSnapshot bad = TestModels.offset(T, 5, 1, 0); // off by 4 on the ramp

        int changes = 0;
        for (int i = 0; i < 40; i++) {
            changes += online.observe(state, new double[] {i}, i, bad).fallbackChange();
            if (i >= 2 && state.judgement().points() < DEFAULTS.fallbackMinPoints()) {
                assertEquals(Source.LSTM, state.latest().source(), "judged on too few points to be set aside yet");
            }
        }
        assertTrue(state.judgement().fallback());
        assertEquals(1, changes, "counted once when it fell back");
        assertEquals(1, state.judgement().fallbacks());
        assertEquals(Source.NAIVE, state.latest().source());
        assertEquals(39.0, state.latest().values()[0], "the last value");
        Forecast f = Forecast.of("k", state, "vanilla", 3);
        assertEquals(Boolean.TRUE, f.fallback());
        assertEquals("naive", f.source());

        // the model goes on being judged while set aside: still bad after 20 more points
        feedRamp(online, state, 40, 20, bad);
        assertTrue(state.judgement().fallback());

        // version 2 arrives with held-out errors better than naive: served at once
        ModelSnapshot better = TestModels.offset(T, 1, 2, 0).installed(2, 0, new Selection.Evaluation(32, 0.1, 4.0, 1.0));
        assertEquals(-1, online.observe(state, new double[] {60}, 60, better).fallbackChange());
        assertFalse(state.judgement().fallback());
        assertEquals(Source.LSTM, state.latest().source());
        assertEquals(61.0, state.latest().values()[0], 1e-6);
    }

    @Test
    void shouldSetAsideAtOnceAModelWhoseHeldOutErrorsWereWorseThanNaive() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        ModelSnapshot judgedBad = TestModels.offset(T, 1, 1, 0).installed(1, 0, new Selection.Evaluation(32, 3.0, Double.NaN, 1.0));

        feedRamp(online, state, 0, 4, judgedBad);

        assertTrue(state.judgement().fallback());
        assertEquals(Source.NAIVE, state.latest().source());
    }

    @Test
    void shouldServeTheDampedForecastWhenItDidBestRecently() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        ModelSnapshot overshoots = TestModels.offset(T, 2, 1, 0); // +2 on a ramp of +1: off by 1, as naive; half of it is exact

        feedRamp(online, state, 0, 60, overshoots);

        assertTrue(state.judgement().damped());
        assertFalse(state.judgement().fallback());
        assertEquals(Source.LSTM, state.latest().source());
        assertEquals(60.0, state.latest().values()[0], 1e-6, "59 + half of the model's +2");
        assertEquals(Boolean.TRUE, Forecast.of("k", state, "vanilla", 3).damped());
    }

    @Test
    void shouldNeverFallBackWhenTurnedOff() {
        var off = new ServingSettings(false, false, 64, 16, 0.9, 100, 0.005, 10, 1);
        OnlineForecaster online = new OnlineForecaster(settings(off));
        SeriesState state = online.newState();

        feedRamp(online, state, 0, 60, TestModels.offset(T, 5, 1, 0));

        assertFalse(state.judgement().fallback());
        assertEquals(Source.LSTM, state.latest().source());
    }

    /** Share of the next {@code n} values of {@code noise} (around a constant) inside their forecast's interval. */
    static double coverage(OnlineForecaster online, SeriesState state, Random random, int n, double sigma) {
        int inside = 0;
        int withInterval = 0;
        for (int i = 0; i < n; i++) {
            double[] before = state.latest().values();
            double half = state.latest().halfWidth();
            double v = 100 + sigma * random.nextGaussian();
            if (before != null && Double.isFinite(half)) {
                withInterval++;
                inside += Math.abs(v - before[0]) <= half ? 1 : 0;
            }
            online.observe(state, new double[] {v}, i, null);
        }
        return (double) inside / withInterval;
    }

    @Test
    void shouldCoverNinetyPercentOfValuesOfKnownNoise() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        Random random = new Random(11);

        double covered = coverage(online, state, random, 20_000, 1.0);

        assertEquals(0.90, covered, 0.01);
        // naive forecast of N(0, 1) noise errs by N(0, 2): its 90 % absolute quantile is 1.645 * sqrt(2)
        double expected = 1.6449 * Math.sqrt(2);
        assertEquals(expected, state.latest().halfWidth(), 0.25 * expected);
        Forecast f = Forecast.of("k", state, "vanilla", 3);
        assertEquals(f.forecast() - state.latest().halfWidth(), f.lower(), 1e-12);
        assertEquals(f.forecast() + state.latest().halfWidth(), f.upper(), 1e-12);
    }

    @Test
    void shouldKeepCoverageWhenTheNoiseTriplesHalfWay() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();
        Random random = new Random(5);

        double first = coverage(online, state, random, 10_000, 1.0);
        double second = coverage(online, state, random, 10_000, 3.0);

        assertEquals(0.90, (first + second) / 2, 0.02);
        assertEquals(0.90, second, 0.03);
    }

    @Test
    void shouldGiveNoIntervalBeforeTheKeyHasEnoughErrors() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS));
        SeriesState state = online.newState();

        // forecasts from the 3rd value (n-steps 3) on, each scored by the next value
        int needed = 3 + DEFAULTS.minResiduals();
        feedRamp(online, state, 0, needed - 1, null);
        assertEquals(DEFAULTS.minResiduals() - 1, state.interval().count());
        assertNull(Forecast.of("k", state, "vanilla", 3).lower());

        feedRamp(online, state, needed - 1, 1, null);
        assertNotNull(Forecast.of("k", state, "vanilla", 3).lower());
    }

    @Test
    void shouldForecastSeveralStepsAheadRecursivelyWithWideningIntervals() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS.withHorizon(4)));
        SeriesState state = online.newState();
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) { // a ramp with a little noise, so errors and intervals are not zero
            online.observe(state, new double[] {i + 0.1 * random.nextGaussian()}, i, null);
        }
        ModelSnapshot plusOne = TestModels.offset(T, 1, 1, 0);
        online.observe(state, new double[] {50}, 50, plusOne);

        double[] h = state.latest().horizon();
        assertArrayEquals(new double[] {51, 52, 53, 54}, h, 1e-5, "each step fed the one before");
        Forecast f = Forecast.of("k", state, "vanilla", 3);
        assertEquals(4, f.horizon().length);
        double previousWidth = 0;
        for (int i = 0; i < 4; i++) {
            Forecast.Step s = f.horizon()[i];
            assertEquals(i + 1, s.step());
            double width = s.upper() - s.lower();
            assertTrue(width > previousWidth, "step " + s.step() + " should be wider than the one before");
            previousWidth = width;
        }
        assertEquals(f.upper() - f.lower(), f.horizon()[0].upper() - f.horizon()[0].lower(), 1e-9);
    }

    /**
     * A model fed its own forecasts can run away: each step here adds 1e308, so step 1 is finite and
     * step 2 is not. A step that is not finite would be written as a bare Infinity, which is no JSON:
     * the steps from there on keep the last finite value.
     */
    @Test
    void shouldKeepEveryStepAheadFiniteWhenTheModelRunsAway() throws Exception {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS.withHorizon(3)));
        SeriesState state = online.newState();
        for (int i = 0; i < 50; i++) {
            online.observe(state, new double[] {0}, i, null);
        }
        online.observe(state, new double[] {0}, 50, TestModels.offset(T, 1e38, 1e270, 1, 0));

        double[] h = state.latest().horizon();
        assertEquals(1e308, h[0], 1e304, "step 1 is the model's");
        assertTrue(Double.isFinite(h[1]) && Double.isFinite(h[2]), java.util.Arrays.toString(h));
        byte[] json = Forecast.of("k", state, "vanilla", 3).toJson();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json); // valid JSON
    }

    @Test
    void shouldScaleEachStepsIntervalByThatStepsOwnErrors() {
        // naive forecasts of a ramp of slope 1 with a little noise: step k is off by about k,
        // so the intervals must widen linearly, not with the square root of the step
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS.withHorizon(4)));
        SeriesState state = online.newState();
        Random random = new Random(8);
        java.util.List<double[]> horizons = new java.util.ArrayList<>();
        java.util.List<double[]> widths = new java.util.ArrayList<>();
        double[] x = new double[3000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 0.3 * random.nextGaussian();
            online.observe(state, new double[] {x[i]}, i, null);
            horizons.add(state.latest().horizon());
            widths.add(state.latest().stepHalfWidths());
        }

        double[] w = state.latest().stepHalfWidths();
        // each step's errors are about 1 more than the step before's
        for (int k = 2; k <= 4; k++) {
            assertEquals(1.0, w[k - 1] - w[k - 2], 0.3, "step " + k + ": " + java.util.Arrays.toString(w));
        }
        assertTrue(w[3] > 1.2 * Math.sqrt(4) * w[0], "wider than √step would make it: " + java.util.Arrays.toString(w));
        // and each step's interval holds about 90 % of the values it is about
        for (int k = 1; k <= 4; k++) {
            int inside = 0;
            int n = 0;
            for (int i = 1000; i + k < x.length; i++) {
                if (widths.get(i) != null) {
                    n++;
                    inside += Math.abs(x[i + k] - horizons.get(i)[k - 1]) <= widths.get(i)[k - 1] ? 1 : 0;
                }
            }
            assertEquals(0.9, (double) inside / n, 0.04, "coverage of step " + k);
        }
        SeriesState back = SeriesState.fromBytes(state.toBytes(), 1, 64, DEFAULTS.intervalWindow());
        assertArrayEquals(w, back.latest().stepHalfWidths());
        assertEquals(state.horizon().stepMae(3), back.horizon().stepMae(3));
    }

    /** Back to a horizon of 1: the statistics of the longer one leave the key's record (24 steps kept 5 kB a key). */
    @Test
    void shouldDropTheHorizonStatisticsWhenTheHorizonGoesBackToOne() {
        OnlineForecaster longer = new OnlineForecaster(settings(DEFAULTS.withHorizon(24)));
        SeriesState state = longer.newState();
        feedRamp(longer, state, 0, 40, null);
        assertEquals(24, state.horizon().steps());
        int before = state.toBytes().length;

        OnlineForecaster one = new OnlineForecaster(settings(DEFAULTS));
        SeriesState restarted = SeriesState.fromBytes(state.toBytes(), 1, 64, DEFAULTS.intervalWindow());
        feedRamp(one, restarted, 40, 1, null);
        assertEquals(0, restarted.horizon().steps());
        assertTrue(restarted.toBytes().length < before - 5_000, restarted.toBytes().length + " bytes against " + before);
        assertNull(restarted.latest().horizon());
    }

    @Test
    void shouldRepeatTheLastValueOverTheHorizonWhenNaive() {
        OnlineForecaster online = new OnlineForecaster(settings(DEFAULTS.withHorizon(3)));
        SeriesState state = online.newState();

        feedRamp(online, state, 0, 5, null);

        assertArrayEquals(new double[] {4, 4, 4}, state.latest().horizon());
    }

}
