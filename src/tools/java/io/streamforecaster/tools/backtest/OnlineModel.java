package io.streamforecaster.tools.backtest;

/** A forecaster under the streaming protocol: refit now and then, forecast one step at every point. */
public interface OnlineModel {

    String name();

    /** Refits on {@code history} (the newest points, at most the protocol's fit window). */
    void refit(double[] history);

    /** Forecasts {@code x[t]} from {@code x[0..t)} only. */
    double forecast(double[] x, int t);
}
