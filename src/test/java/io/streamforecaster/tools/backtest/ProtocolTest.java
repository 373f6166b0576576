package io.streamforecaster.tools.backtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.tools.ServiceDefaults;
import io.streamforecaster.model.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    /** Forecasts the mean of the last two values; records what it was refit on. */
    static final class MeanOfTwo implements OnlineModel {
        final List<double[]> refits = new ArrayList<>();
        final List<Integer> refitAt = new ArrayList<>();
        int t;

        @Override
        public String name() {
            return "mean2";
        }

        @Override
        public void refit(double[] x, int t) {
            double[] history = Protocol.fitWindow(x, t);
            refits.add(history);
            refitAt.add(history.length);
        }

        @Override
        public double forecast(double[] x, int t) {
            this.t = t;
            return (x[t - 1] + x[t - 2]) / 2;
        }
    }

    @Test
    void shouldScoreATinySeriesAsComputedByHand() {
        // N = 9, W = min(256, 9 / 3) = 3: t = 3..8 scored
        double[] x = {1, 2, 4, 4, 6, 5, 5, 8, 8};

        double[] forecasts = Protocol.run(x, new MeanOfTwo(), k -> { });
        Score s = Score.of("tiny", "mean2", x, forecasts);

        // forecasts (x[t-1] + x[t-2]) / 2: 3, 4, 5, 5.5, 5, 6.5; actuals 4, 6, 5, 5, 8, 8
        assertArrayEquals(new double[] {3, 4, 5, 5.5, 5, 6.5}, forecasts);
        // errors 1, 2, 0, 0.5, 3, 1.5: MAE 8 / 6; squared 1 + 4 + 0 + .25 + 9 + 2.25 = 16.5
        assertEquals(8.0 / 6, s.mae(), 1e-12);
        assertEquals(Math.sqrt(16.5 / 6), s.rmse(), 1e-12);
        // naive errors |4-4|, |6-4|, |5-6|, |5-5|, |8-5|, |8-8| = 0, 2, 1, 0, 3, 0: sum 6
        assertEquals(8.0 / 6, s.mase(), 1e-12);
        double smape = 100.0 / 6 * (2 * 1 / 7.0 + 2 * 2 / 10.0 + 0 + 2 * 0.5 / 10.5 + 2 * 3 / 13.0 + 2 * 1.5 / 14.5);
        assertEquals(smape, s.smape(), 1e-12);
        assertEquals(3, s.warmup());
        assertNull(s.coverage());
    }

    @Test
    void shouldGiveNaiveAMaseOfExactlyOne() {
        double[] x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
        Score s = Score.of("pi", "naive", x, Protocol.run(x, Models.naive(), k -> { }));
        assertEquals(1.0, s.mase(), 1e-12);
    }

    @Test
    void shouldRefitEverySixtyFourStepsOnAtMostTheLast512Points() {
        double[] x = new double[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        MeanOfTwo model = new MeanOfTwo();

        Protocol.run(x, model, k -> { });

        // W = 256; refits at t = 256, 320, ..., 960: 12 of them
        assertEquals(12, model.refits.size());
        assertEquals(Protocol.refits(1000), model.refits.size());
        assertEquals(256, model.refits.get(0).length);
        assertEquals(0.0, model.refits.get(0)[0]);
        double[] last = model.refits.get(11);
        assertEquals(512, last.length);
        assertEquals(960 - 512, last[0]);
        assertEquals(959, last[511]);
    }

    @Test
    void shouldKeepOnlyTheLast4096PointsOfALongSeries() {
        double[] x = new double[5000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        double[] points = Protocol.points(x);
        assertEquals(4096, points.length);
        assertEquals(5000 - 4096, points[0]);
        assertEquals(256, Protocol.warmup(points.length));
        assertEquals(48, Protocol.warmup(144));
    }

    @Test
    void shouldScoreTheServicesOwnLstmAndBeatNaiveOnALearnableSeries() {
        double[] x = new double[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = 50 + 10 * Math.sin(2 * Math.PI * i / 12.0);
        }
        TrainingSettings t = new TrainingSettings(Variant.VANILLA, 12, 1, 8, 60, 15, 0.01, 7, 1.0, 32);
        StreamSettings s = ServiceDefaults.settings(java.util.Map.of()).withTraining(t);

        Score lstm = Score.of("sine", "lstm", x, Protocol.run(x, Models.lstm(s), k -> { }));

        assertTrue(lstm.mase() < 0.5, "a clean sine is easy: MASE " + lstm.mase());
        assertEquals(100, lstm.warmup());
    }

    @Test
    void shouldReportIntervalCoverageAndScoreEveryStepOfTheHorizon() {
        Random random = new Random(2);
        double[] x = new double[600];
        for (int i = 0; i < x.length; i++) {
            x[i] = 50 + random.nextGaussian();
        }
        StreamSettings s = ServiceDefaults.settings(java.util.Map.of("forecaster.forecast.horizon", "3",
                "forecaster.training.epochs", "5", "forecaster.training.warm-start-epochs", "2"));

        Protocol.Run run = Protocol.execute(x, Models.lstm(s), k -> { });
        Score one = Score.of("noise", "lstm", x, run, 1);
        Score three = Score.of("noise", "lstm", x, run, 3);

        assertNotNull(one.coverage());
        assertEquals(0.9, one.coverage(), 0.06, "split-conformal on white noise");
        assertEquals(3, three.step());
        assertTrue(three.toJson().contains("\"step\":3"));
        for (double[] h : run.horizons()) {
            assertEquals(3, h.length);
        }
        assertEquals(run.forecasts()[0], run.horizons()[0][0], 1e-12, "step 1 of the horizon is the one-step forecast");
        assertNotNull(three.coverage());
    }

    @Test
    void shouldScoreSeasonalNaiveOnAPurelySeasonalSeriesAsPerfect() {
        double[] x = new double[120];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7;
        }
        Score s = Score.of("weekly", "sn", x, Protocol.run(x, Models.seasonalNaive(7), k -> { }));
        assertEquals(0.0, s.mae());
        assertTrue(s.toJson().contains("\"mase\":0.0"));
    }
}
