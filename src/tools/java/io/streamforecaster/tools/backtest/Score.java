package io.streamforecaster.tools.backtest;

import io.streamforecaster.serving.OnlineForecaster;

/**
 * Accuracy of one model on one series over the scored points {@code [W, N)}.
 *
 * @param step how far ahead the scored forecasts reach: 1 for the next value (the protocol), k for
 *             the k-th value of a multi-step forecast (scored where that value is in the series)
 * @param smape symmetric MAPE in percent: mean of {@code 200 |F - A| / (|A| + |F|)}, 0 where both are 0
 * @param mase MAE over the naive last-value forecast's MAE on the same points (below 1 beats naive)
 * @param coverage share of actuals inside the prediction interval, over the points that had one;
 *                 null where the model gives none
 * @param trainingSeconds the model's training time for this series (a shared model's: its total over the
 *                 number of series it served), null for models that do not train
 */
public record Score(String series, String model, int n, int warmup, int step, double mae, double rmse, double smape,
                    double mase, Double coverage, Double trainingSeconds) {

    public Score withTrainingSeconds(Double seconds) {
        return new Score(series, model, n, warmup, step, mae, rmse, smape, mase, coverage, seconds);
    }

    /** Scores {@code forecasts} of {@code x[W..N)}. */
    public static Score of(String series, String model, double[] x, double[] forecasts) {
        return of(series, model, x, new Protocol.Run(forecasts, null, null, null), 1);
    }

    /** Scores the {@code step}-ahead forecasts of a run (step 1: the one-step forecasts). */
    public static Score of(String series, String model, double[] x, Protocol.Run run, int step) {
        int n = x.length;
        int w = n - run.forecasts().length;
        double abs = 0;
        double sq = 0;
        double smape = 0;
        double naive = 0;
        int covered = 0;
        int withInterval = 0;
        int m = 0;
        for (int t = w; t + step - 1 < n; t++) {
            double a = x[t + step - 1];
            double f = step == 1 ? run.forecasts()[t - w] : run.horizons()[t - w][step - 1];
            double e = Math.abs(f - a);
            abs += e;
            sq += e * e;
            double denominator = Math.abs(a) + Math.abs(f);
            smape += denominator == 0 ? 0 : 200 * e / denominator;
            naive += Math.abs(a - x[t - 1]);
            m++;
            if (run.halfWidths() != null && Double.isFinite(run.halfWidths()[t - w])) {
                withInterval++;
                double[] widths = run.horizonHalfWidths() == null ? null : run.horizonHalfWidths()[t - w];
                double half = step == 1 ? run.halfWidths()[t - w]
                        : widths != null ? widths[step - 1] : OnlineForecaster.widen(run.halfWidths()[t - w], step);
                if (e <= half) {
                    covered++;
                }
            }
        }
        double mae = abs / m;
        return new Score(series, model, n, w, step, mae, Math.sqrt(sq / m), smape / m, naive == 0 ? Double.NaN : abs / naive,
                withInterval == 0 ? null : (double) covered / withInterval, null);
    }

    public String toJson() {
        return String.format(java.util.Locale.ROOT,
                "{\"series\":\"%s\",\"model\":\"%s\",\"n\":%d,\"warmup\":%d,\"step\":%d,\"mae\":%s,\"rmse\":%s,\"smape\":%s,"
                        + "\"mase\":%s,\"coverage\":%s,\"trainingSeconds\":%s}",
                series.replace("\\", "\\\\").replace("\"", "\\\""), model, n, warmup, step, num(mae), num(rmse), num(smape), num(mase),
                coverage == null ? "null" : num(coverage), trainingSeconds == null ? "null" : num(trainingSeconds));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
