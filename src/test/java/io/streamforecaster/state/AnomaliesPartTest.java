package io.streamforecaster.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.anomaly.Anomaly;
import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.anomaly.AnomalyOutcome;
import io.streamforecaster.anomaly.AnomalySettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The anomaly part inside the key's state record: its round trip, its size, and records of builds before it. */
class AnomaliesPartTest {

    /** A short warm-up and quiet period, so that a few hundred values make several anomalies. */
    static final AnomalySettings S = new AnomalySettings(0.587, 20, 400, 20, 30, 80, 0.08, 5);

    /** Noise around 10 with a spike of 100 every 50th value from the 60th on: several anomalies. */
    static SeriesState observed(int values) {
        return observed(values, new java.util.ArrayList<>());
    }

    /** @param anomalies gets the timestamps of the values the part flagged */
    static SeriesState observed(int values, java.util.List<Long> anomalies) {
        SeriesState s = SeriesStateTest.filled(1, 8, 0);
        Random r = new Random(5);
        double previous = Double.NaN;
        for (int i = 0; i < values; i++) {
            double v = i >= 60 && i % 50 == 10 ? 100 : 10 + r.nextGaussian();
            if (s.anomalies().observe(1000L + i, new AnomalyInput(v, Double.isNaN(previous) ? Double.NaN : 10, 2, previous), S).anomaly()) {
                anomalies.add(1000L + i);
            }
            s.history().append(new double[] {v}, 1000L + i);
            previous = v;
        }
        return s;
    }

    @Test
    void shouldKeepTheDetectorTheLatestScoreAndTheRecentAnomaliesAcrossARoundTrip() {
        var flagged = new java.util.ArrayList<Long>();
        SeriesState s = observed(700, flagged);
        Anomaly[] recent = s.anomalies().recent();
        assertTrue(flagged.size() > Anomalies.RECENT, "more anomalies than it keeps: " + flagged);
        assertEquals(flagged.subList(flagged.size() - Anomalies.RECENT, flagged.size()),
                java.util.Arrays.stream(recent).map(Anomaly::timestamp).toList(), "the newest, oldest first");

        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8);

        assertEquals(s.anomalies().lastScore(), back.anomalies().lastScore());
        assertEquals(java.util.List.of(recent), java.util.List.of(back.anomalies().recent()));
        for (int i = 0; i < 200; i++) { // the detector goes on exactly as the original
            AnomalyInput in = new AnomalyInput(i == 150 ? 80 : 10 + Math.sin(i), 10, 2, 10);
            AnomalyOutcome a = s.anomalies().observe(5000L + i, in, S);
            AnomalyOutcome b = back.anomalies().observe(5000L + i, in, S);
            assertEquals(a, b, "observation " + i);
        }
    }

    @Test
    void shouldTakeFortyOneBytesPerRecentAnomalyAndNoneWithoutAny() {
        SeriesState fresh = SeriesStateTest.filled(1, 8, 3);
        var flagged = new java.util.ArrayList<Long>();
        SeriesState some = observed(70, flagged);
        int n = flagged.size();
        assertTrue(n > 0 && n < Anomalies.RECENT, "a few anomalies: " + flagged);
        assertEquals(Anomalies.FIXED_BYTES, fresh.anomalies().encodedBytes());
        assertEquals(116, Anomalies.FIXED_BYTES);
        assertEquals(116 + n * 41, some.anomalies().encodedBytes());
        assertEquals(116 + 8 * 41, Anomalies.MAX_BYTES);
    }

    @Test
    void shouldReadAThirdFormatRecordWrittenBeforeTheAnomalyPartWithAFreshDetector() {
        SeriesState s = observed(100);
        s.accuracy().add(2, 3, 0.5);
        byte[] record = withoutPart(s.toBytes(), Anomalies.TAG);

        SeriesState back = SeriesState.fromBytes(record, 1, 8);

        assertEquals(s.history().observations(), back.history().observations());
        assertEquals(s.accuracy().scored(), back.accuracy().scored());
        assertTrue(Double.isNaN(back.anomalies().lastScore()));
        assertEquals(0, back.anomalies().recent().length);
        assertFalse(back.anomalies().observe(1, new AnomalyInput(1e6, 10, 2, 10), S).anomaly(), "warming up again");
    }

    @Test
    void shouldRefuseACorruptAnomalyPart() {
        SeriesState s = observed(70);
        assertTrue(s.anomalies().recent().length > 0);
        byte[] bytes = s.toBytes();
        int at = partOffset(bytes, Anomalies.TAG) + Anomalies.FIXED_BYTES - 1; // the recent-anomaly count
        bytes[at] = 9;
        var e = assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(SeriesStateTest.rechecked(bytes), 1, 8));
        assertTrue(e.getMessage().contains("9 recent anomalies"), e.getMessage());
    }

    /** Where the body of part {@code tag} starts in a record. */
    static int partOffset(byte[] record, int tag) {
        ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        in.position(8);
        int parts = in.get();
        for (int i = 0; i < parts; i++) {
            int t = in.get();
            int length = in.getInt();
            if (t == tag) {
                return in.position();
            }
            in.position(in.position() + length);
        }
        throw new AssertionError("no part " + tag);
    }

    /** The record as a build without part {@code tag} wrote it. */
    static byte[] withoutPart(byte[] record, int tag) {
        ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(record.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(in.getInt()).putInt(in.getInt());
        int parts = in.get();
        out.put((byte) (parts - 1));
        for (int i = 0; i < parts; i++) {
            int t = in.get();
            int length = in.getInt();
            byte[] body = new byte[length];
            in.get(body);
            if (t != tag) {
                out.put((byte) t).putInt(length).put(body);
            }
        }
        out.putInt(0);
        return SeriesStateTest.rechecked(java.util.Arrays.copyOf(out.array(), out.position()));
    }
}
