package io.streamforecaster.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InputSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.serving.ServingSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The anomaly score over series with known anomalies, fed as the stream feeds it: each value goes
 * through the service's own per-observation step ({@link OnlineForecaster}: naive before a model,
 * the model's forecast, the fallback, conformal intervals), whose outcome carries the anomaly part's
 * score of the value against the forecast and interval that were served for it.
 */
class AnomalyDetectionTest {

    static final AnomalySettings A = AnomalySettings.defaults();
    /** Where the anomalies are injected; before it, 2,000 points of the clean series. */
    static final int AT = 2000;
    /** Points that are never judged for false alarms: the warm-up of the key's range and peaks (NAB's probation is 15 %). */
    static final int SETTLE = 400;

    static StreamSettings settings(Variant v) {
        TrainingSettings t = new TrainingSettings(v, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);
        return new StreamSettings("in", "out", "dlq", 64, ColdStart.NAIVE, 8, 4, Duration.ofMinutes(1), Duration.ofSeconds(1),
                50, InputSettings.defaults(), t, ServingSettings.defaults(), ModelScope.PER_KEY, 256);
    }

    /** One key: the service's step, as the stream runs it. */
    static final class Key {
        final OnlineForecaster online;
        final SeriesState state;
        final List<AnomalyOutcome> outcomes = new ArrayList<>();
        final List<Source> sources = new ArrayList<>();

        Key(StreamSettings s) {
            online = new OnlineForecaster(s);
            state = online.newState();
        }

        void observe(double value, ModelSnapshot model) {
            sources.add(state.latest().source());
            outcomes.add(online.observe(state, new double[] {value}, outcomes.size(), model).anomaly());
        }

        List<Integer> anomalies(int from, int to) {
            List<Integer> at = new ArrayList<>();
            for (int i = from; i < to; i++) {
                if (outcomes.get(i).anomaly()) {
                    at.add(i);
                }
            }
            return at;
        }
    }

    static Key run(double[] x, ModelSnapshot model, Variant v) {
        Key k = new Key(settings(v));
        for (double value : x) {
            k.observe(value, model);
        }
        return k;
    }

    static double[] noise(long seed, int n) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 10 + r.nextGaussian();
        }
        return x;
    }

    @Test
    void shouldFlagASpikeInNoiseAtOnce() {
        double[] x = noise(1, AT + 500);
        x[AT] += 8;
        Key k = run(x, null, Variant.VANILLA);
        assertTrue(k.outcomes.get(AT).anomaly(), "score at the spike " + k.outcomes.get(AT));
        assertEquals(Source.NAIVE, k.sources.get(AT)); // judged against naive forecasts: no model yet
    }

    @Test
    void shouldFlagALevelShiftWhenItHappens() {
        double[] x = noise(2, AT + 500);
        for (int i = AT; i < x.length; i++) {
            x[i] += 6;
        }
        Key k = run(x, null, Variant.VANILLA);
        List<Integer> flagged = k.anomalies(AT, AT + 500);
        assertTrue(!flagged.isEmpty() && flagged.get(0) <= AT + 1, "anomalies after the shift at " + flagged);
    }

    @Test
    void shouldFlagAVarianceChangeWithinAFewDozenPoints() {
        double[] x = noise(3, AT + 500);
        for (int i = AT; i < x.length; i++) {
            x[i] = 10 + 4 * (x[i] - 10);
        }
        Key k = run(x, null, Variant.VANILLA);
        List<Integer> flagged = k.anomalies(AT, AT + 500);
        assertTrue(!flagged.isEmpty() && flagged.get(0) < AT + 30, "anomalies after the change at " + flagged);
    }

    @Test
    void shouldRarelyFireOnCleanNoise() {
        int points = 0;
        int alarms = 0;
        for (long seed = 10; seed < 30; seed++) {
            Key k = run(noise(seed, 5000), null, Variant.VANILLA);
            alarms += k.anomalies(SETTLE, 5000).size();
            points += 5000 - SETTLE;
        }
        // measured: 0.13 % (now and then a value, level or volatility beyond any seen before, rarer as the key ages)
        assertTrue(alarms <= 0.002 * points, alarms + " alarms in " + points + " points of noise");
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void shouldFlagASpikeInTheForecastsOfEveryVariant(Variant v) {
        // a ramp of slope 1 with noise: the model (last value + 1) beats naive and is served
        Random r = new Random(4);
        double[] x = new double[AT + 200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + r.nextGaussian() * 0.5;
        }
        x[AT] -= 10; // inside the ramp's range: only the forecast can tell
        ModelSnapshot model = TestModels.offset(settings(v).training(), 1, 1, 0);
        Key k = run(x, model, v);
        assertEquals(Source.LSTM, k.sources.get(AT));
        assertTrue(k.outcomes.get(AT).anomaly(), "score at the spike " + k.outcomes.get(AT));
        assertEquals(AnomalyOutcome.Cause.FORECAST, k.outcomes.get(AT).cause());
        assertTrue(k.anomalies(SETTLE, AT).size() <= 2, "false alarms " + k.anomalies(SETTLE, AT));
    }

    @Test
    void shouldFlagASpikeWhileTheKeyFallsBackToNaive() {
        double[] x = noise(5, AT + 200);
        x[AT] -= 8;
        ModelSnapshot bad = TestModels.offset(settings(Variant.VANILLA).training(), 3, 1, 0); // 3 off: worse than naive
        Key k = run(x, bad, Variant.VANILLA);
        assertTrue(k.state.judgement().fallback());
        assertEquals(Source.NAIVE, k.sources.get(AT));
        assertTrue(k.outcomes.get(AT).anomaly(), "score at the spike " + k.outcomes.get(AT));
    }
}
