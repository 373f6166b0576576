package io.streamforecaster.state;

import io.streamforecaster.anomaly.Anomaly;
import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.anomaly.AnomalyOutcome;
import io.streamforecaster.anomaly.AnomalySettings;
import io.streamforecaster.anomaly.AnomalyState;
import java.nio.ByteBuffer;

/**
 * The anomaly part of a key's state: the detector's state ({@link AnomalyState}), the score of the
 * key's latest observation (carried by the forecast that followed it, also when it is read back by
 * a query), and the key's last {@value #RECENT} anomalies for {@code /series/{key}/anomalies}.
 * Only the anomalies it holds are written, so a key that never had one pays nothing for them.
 */
public final class Anomalies implements StatePart {

    static final int TAG = 9;
    private static final byte VERSION = 1;
    /** Anomalies a key keeps for queries: a few, enough for "what happened lately". */
    public static final int RECENT = 8;
    /** Bytes of the part without recent anomalies: version, detector, last score, flag, count. */
    static final int FIXED_BYTES = 1 + AnomalyState.BYTES + 8 + 1 + 1;
    /** The most the part takes. */
    public static final int MAX_BYTES = FIXED_BYTES + RECENT * Anomaly.BYTES;

    private final AnomalyState detector;
    private double lastScore = Double.NaN;
    private boolean lastAnomaly;
    /** Ring of the newest anomalies: {@code count} of them, the newest at {@code (start + count - 1) % RECENT}. */
    private final Anomaly[] recent = new Anomaly[RECENT];
    private int start;
    private int count;

    public Anomalies() {
        this(new AnomalyState());
    }

    private Anomalies(AnomalyState detector) {
        this.detector = detector;
    }

    /** Scores the observation {@code in} (taken before the key's state changed), learns from it and keeps it if it is an anomaly. */
    public AnomalyOutcome observe(long timestamp, AnomalyInput in, AnomalySettings settings) {
        AnomalyOutcome outcome = detector.step(in, settings);
        lastScore = outcome.score();
        lastAnomaly = outcome.anomaly();
        if (outcome.anomaly()) {
            recent[(start + count) % RECENT] = Anomaly.of(timestamp, in, outcome);
            if (count < RECENT) {
                count++;
            } else {
                start = (start + 1) % RECENT;
            }
        }
        return outcome;
    }

    /** The score of the key's latest observation, NaN before its first. */
    public double lastScore() {
        return lastScore;
    }

    /** Whether the key's latest observation was an anomaly. */
    public boolean lastAnomaly() {
        return lastAnomaly;
    }

    /** The key's recent anomalies, oldest first. */
    public Anomaly[] recent() {
        Anomaly[] out = new Anomaly[count];
        for (int i = 0; i < count; i++) {
            out[i] = recent[(start + i) % RECENT];
        }
        return out;
    }

    @Override
    public int tag() {
        return TAG;
    }

    @Override
    public int encodedBytes() {
        return FIXED_BYTES + count * Anomaly.BYTES;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put(VERSION);
        detector.write(b);
        b.putDouble(lastScore).put((byte) (lastAnomaly ? 1 : 0)).put((byte) count);
        for (Anomaly a : recent()) {
            b.putLong(a.timestamp()).putDouble(a.actual()).putDouble(a.expected()).putDouble(a.halfWidth()).putDouble(a.score())
                    .put((byte) a.cause().ordinal());
        }
    }

    static Anomalies read(ByteBuffer b) {
        SeriesStateFormat.version(b, VERSION, "the anomaly part");
        Anomalies a = new Anomalies(AnomalyState.read(b));
        a.lastScore = b.getDouble();
        a.lastAnomaly = b.get() != 0;
        int n = b.get();
        if (n < 0 || n > RECENT) {
            throw new IllegalArgumentException("Series state record has " + n + " recent anomalies (at most " + RECENT + ")");
        }
        AnomalyOutcome.Cause[] causes = AnomalyOutcome.Cause.values();
        for (int i = 0; i < n; i++) {
            long timestamp = b.getLong();
            double actual = b.getDouble();
            double expected = b.getDouble();
            double halfWidth = b.getDouble();
            double score = b.getDouble();
            int cause = b.get();
            if (cause < 0 || cause >= causes.length) {
                throw new IllegalArgumentException("Series state record has an anomaly of unknown cause " + cause);
            }
            a.recent[i] = new Anomaly(timestamp, actual, expected, halfWidth, score, causes[cause]);
        }
        a.count = n;
        return a;
    }
}
