package io.streamforecaster.tools.backtest;

/**
 * Accuracy of one model on one series over the scored points {@code [W, N)}.
 *
 * @param smape symmetric MAPE in percent: mean of {@code 200 |F - A| / (|A| + |F|)}, 0 where both are 0
 * @param mase MAE over the naive last-value forecast's MAE on the same points (below 1 beats naive)
 * @param coverage share of actuals inside the prediction interval; null where the model gives none
 */
public record Score(String series, String model, int n, int warmup, double mae, double rmse, double smape, double mase,
                   Double coverage) {

    /** Scores {@code forecasts} of {@code x[W..N)}. */
    public static Score of(String series, String model, double[] x, double[] forecasts) {
        int n = x.length;
        int w = n - forecasts.length;
        double abs = 0;
        double sq = 0;
        double smape = 0;
        double naive = 0;
        for (int t = w; t < n; t++) {
            double a = x[t];
            double f = forecasts[t - w];
            double e = Math.abs(f - a);
            abs += e;
            sq += e * e;
            double denominator = Math.abs(a) + Math.abs(f);
            smape += denominator == 0 ? 0 : 200 * e / denominator;
            naive += Math.abs(a - x[t - 1]);
        }
        int m = forecasts.length;
        double mae = abs / m;
        return new Score(series, model, n, w, mae, Math.sqrt(sq / m), smape / m, naive == 0 ? Double.NaN : abs / naive, null);
    }

    public String toJson() {
        return String.format(java.util.Locale.ROOT,
                "{\"series\":\"%s\",\"model\":\"%s\",\"n\":%d,\"warmup\":%d,\"mae\":%s,\"rmse\":%s,\"smape\":%s,\"mase\":%s,\"coverage\":%s}",
                series.replace("\\", "\\\\").replace("\"", "\\\""), model, n, warmup, num(mae), num(rmse), num(smape), num(mase),
                coverage == null ? "null" : num(coverage));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
