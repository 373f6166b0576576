package io.streamforecaster.anomaly;

import io.streamforecaster.anomaly.AnomalyOutcome.Cause;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The anomaly part of one key's state: {@value #BYTES} bytes that turn each observation into an
 * anomaly score.
 *
 * <p>An observation scores high when it sets a record, in one of four ways (its <i>parts</i>):
 * <ul>
 *   <li><b>forecast</b>: the served forecast's error, or its recent average, nears or passes the
 *       largest the key has made lately. Those peaks fade by half over {@code memory}
 *       observations, so a key with big errors needs a bigger one to alert, and one that has
 *       been calm for long alerts on a smaller one. The part scores {@code r / (1 + r)}, {@code r}
 *       being the error over that peak: 0.5 at the peak.
 *   <li><b>range</b>: the value lies beyond the lowest or highest the key has ever shown;
 *   <li><b>level</b>: the key's level (its values averaged over {@code levelWindow}) does;
 *   <li><b>volatility</b>: its volatility (absolute changes averaged over {@code volatilityWindow})
 *       rises above any it has had.
 * </ul>
 * The last three score 0.5 and more the further beyond their range (0.75 at {@code rangeScale}
 * of it). The score is the highest of the four. A part that scores an anomaly (at or above the
 * threshold) is then held at {@value #QUIET_SCORE} until it has gone {@code quiet} observations
 * without another, so that one anomaly makes one alert rather than a run of them, and a trend that
 * keeps setting new highs alerts once, when it starts.
 *
 * <p>The forecast errors are used as they are, not in units of the interval: the intervals follow
 * the key's recent errors so closely (100 of them) that a lasting change soon looks normal in
 * their units, and on the Numenta Anomaly Benchmark errors over their own fading peak did far
 * better (ANOMALIES.md). The outcome still reports that surprise.
 *
 * <p>It needs only the value, the forecast that was served for it and the key's previous value, so
 * it works alike for every model variant, for the naive fallback and before a key's first model.
 * O(1) per observation, no look-ahead. Mutable, owned by the thread that owns the key.
 */
public final class AnomalyState {

    static final byte VERSION = 1;
    /** Bytes of {@link #write}'s encoding, the version byte included. */
    public static final int BYTES = 1 + 4 + 4 + 8 * 11 + 2 * 4;
    /** What a part scores at most while it is quiet after an anomaly. */
    static final double QUIET_SCORE = 0.3;

    /** Observations seen (saturating): the warm-up of the value parts. */
    private int seen;
    /** Observations judged against a forecast (saturating): the warm-up of the forecast part. */
    private int judged;

    private double errorAverage;
    private double errorPeak;
    private double errorAveragePeak;

    private double low;
    private double high;

    private double level;
    private double levelLow;
    private double levelHigh;

    private double volatility;
    private double volatilityLow;
    private double volatilityHigh;

    /** Observations left in each part's quiet period. */
    private short quietForecast;
    private short quietRange;
    private short quietLevel;
    private short quietVolatility;

    /** A key's state before its first observation. */
    public AnomalyState() {
    }

    /**
     * Scores one observation and learns from it. Call once per observation, when its actual value
     * arrives, with the forecast that was served for it.
     */
    public AnomalyOutcome step(AnomalyInput in, AnomalySettings s) {
        double value = in.actual();
        if (!Double.isFinite(value)) {
            return new AnomalyOutcome(0, false, Double.NaN, Cause.NONE); // nothing to learn from
        }
        double error = in.error();
        double forecast = Double.isFinite(error) ? forecastScore(error, s) : 0;

        double change = Double.isFinite(in.previous()) ? Math.abs(value - in.previous()) : 0;
        boolean first = seen == 0;
        level = first ? value : level + AnomalySettings.alpha(s.levelWindow()) * (value - level);
        volatility = first ? change : volatility + AnomalySettings.alpha(s.volatilityWindow()) * (change - volatility);
        // the first value has no range, level or volatility to leave yet, whatever the warm-up
        boolean warm = !first && seen >= s.warmUp();
        double range = warm ? beyond(value, low, high, true, s) : 0;
        double levelScore = warm ? beyond(level, levelLow, levelHigh, true, s) : 0;
        double volatilityScore = warm ? beyond(volatility, volatilityLow, volatilityHigh, false, s) : 0;
        if (first) {
            low = high = value;
            levelLow = levelHigh = level;
            volatilityLow = volatilityHigh = volatility;
        } else {
            low = Math.min(low, value);
            high = Math.max(high, value);
            levelLow = Math.min(levelLow, level);
            levelHigh = Math.max(levelHigh, level);
            volatilityLow = Math.min(volatilityLow, volatility);
            volatilityHigh = Math.max(volatilityHigh, volatility);
        }
        seen = saturatedIncrement(seen);

        // an anomaly quiets its part until the part has gone its quiet period without another
        double t = s.threshold();
        double f = quietForecast > 0 ? Math.min(forecast, QUIET_SCORE) : forecast;
        quietForecast = next(quietForecast, forecast >= t, s);
        double r = quietRange > 0 ? Math.min(range, QUIET_SCORE) : range;
        quietRange = next(quietRange, range >= t, s);
        double l = quietLevel > 0 ? Math.min(levelScore, QUIET_SCORE) : levelScore;
        quietLevel = next(quietLevel, levelScore >= t, s);
        double v = quietVolatility > 0 ? Math.min(volatilityScore, QUIET_SCORE) : volatilityScore;
        quietVolatility = next(quietVolatility, volatilityScore >= t, s);

        double score = Math.max(Math.max(f, r), Math.max(l, v));
        Cause cause = score <= 0 ? Cause.NONE : score == f ? Cause.FORECAST : score == r ? Cause.RANGE : score == l ? Cause.LEVEL
                : Cause.VOLATILITY;
        return new AnomalyOutcome(score, score >= t, surprise(error, in.halfWidth()), cause);
    }

    private static short next(short quiet, boolean anomaly, AnomalySettings s) {
        return anomaly ? (short) s.quiet() : (short) Math.max(0, quiet - 1);
    }

    /** The error in interval half-widths; infinite for a miss of a zero-width interval; NaN without both. */
    private static double surprise(double error, double half) {
        if (!Double.isFinite(error) || !(half >= 0) || Double.isInfinite(half)) {
            return Double.NaN;
        }
        if (half == 0) {
            return error == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return error / half;
    }

    /**
     * 0.5 and up for {@code x} beyond {@code [lo, hi]} (above it only, unless {@code below}), by how
     * far in units of its width; 1 for a range of no width (a key that never moved, and now does)
     * or one too narrow to measure against.
     */
    private static double beyond(double x, double lo, double hi, boolean below, AnomalySettings s) {
        if (!(hi >= lo)) {
            return 0;
        }
        double out = Math.max(x - hi, below ? lo - x : Double.NEGATIVE_INFINITY);
        if (!(out > 0)) {
            return 0;
        }
        double relative = out / (hi - lo); // infinite for a range of no width
        return Double.isInfinite(relative) ? 1 : 0.5 + 0.5 * relative / (relative + s.rangeScale());
    }

    private double forecastScore(double error, AnomalySettings s) {
        judged = saturatedIncrement(judged);
        errorAverage = judged == 1 ? error : errorAverage + AnomalySettings.alpha(s.averagingWindow()) * (error - errorAverage);
        double score = 0;
        if (judged > Math.max(1, s.warmUp())) { // the first error has no earlier one to be judged against
            score = Math.max(ratio(error, errorPeak), ratio(errorAverage, errorAveragePeak));
        }
        double decay = s.decay();
        errorPeak = Math.max(error, errorPeak * decay);
        errorAveragePeak = Math.max(errorAverage, errorAveragePeak * decay);
        return score;
    }

    /**
     * {@code r / (1 + r)} for {@code r = x / peak}: 0.5 at the peak; 1 for an error where the key
     * has made none lately (a flat key its forecasts matched exactly), or a peak too small to
     * measure against.
     */
    private static double ratio(double x, double peak) {
        if (!(x > 0) || !(peak >= 0)) {
            return 0;
        }
        double r = x / peak; // infinite for a peak of 0
        return Double.isInfinite(r) ? 1 : r / (1 + r);
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    /** Writes the state: {@link #BYTES} bytes, starting with a version byte. */
    public void write(ByteBuffer b) {
        b.put(VERSION).putInt(seen).putInt(judged)
                .putDouble(errorAverage).putDouble(errorPeak).putDouble(errorAveragePeak)
                .putDouble(low).putDouble(high)
                .putDouble(level).putDouble(levelLow).putDouble(levelHigh)
                .putDouble(volatility).putDouble(volatilityLow).putDouble(volatilityHigh)
                .putShort(quietForecast).putShort(quietRange).putShort(quietLevel).putShort(quietVolatility);
    }

    /** Reads a state {@link #write} wrote; an unknown version, a truncated or a corrupt one is refused. */
    public static AnomalyState read(ByteBuffer b) {
        try {
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("Unknown anomaly state version " + version + " (this build reads " + VERSION + ")");
            }
            AnomalyState s = new AnomalyState();
            s.seen = b.getInt();
            s.judged = b.getInt();
            s.errorAverage = b.getDouble();
            s.errorPeak = b.getDouble();
            s.errorAveragePeak = b.getDouble();
            s.low = b.getDouble();
            s.high = b.getDouble();
            s.level = b.getDouble();
            s.levelLow = b.getDouble();
            s.levelHigh = b.getDouble();
            s.volatility = b.getDouble();
            s.volatilityLow = b.getDouble();
            s.volatilityHigh = b.getDouble();
            s.quietForecast = b.getShort();
            s.quietRange = b.getShort();
            s.quietLevel = b.getShort();
            s.quietVolatility = b.getShort();
            if (s.seen < 0 || s.judged < 0 || s.quietForecast < 0 || s.quietRange < 0 || s.quietLevel < 0 || s.quietVolatility < 0) {
                throw new IllegalArgumentException("Anomaly state is corrupt (a negative count)");
            }
            return s;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Anomaly state is truncated", e);
        }
    }

    /** Bytes {@link #write} takes (as the key state's parts tell theirs). */
    public int encodedBytes() {
        return BYTES;
    }
}
