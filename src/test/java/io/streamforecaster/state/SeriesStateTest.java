package io.streamforecaster.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesStateTest {

    static SeriesState filled(int nFeatures, int capacity, int count) {
        SeriesState s = new SeriesState(nFeatures, capacity);
        for (int i = 0; i < count; i++) {
            double[] row = new double[nFeatures];
            for (int f = 0; f < nFeatures; f++) {
                row[f] = i * 10 + f;
            }
            s.history().append(row, 1000 + i);
        }
        return s;
    }

    @Test
    void shouldKeepTheNewestRowsInOrderOnceFull() {
        History h = filled(1, 4, 10).history();

        assertEquals(4, h.size());
        assertEquals(10, h.observations());
        assertArrayEquals(new double[][] {{60}, {70}, {80}, {90}}, h.rows());
        assertArrayEquals(new double[][] {{80}, {90}}, h.lastRows(2));
        assertArrayEquals(new double[] {90}, h.lastRow());
        assertEquals(90, h.last(0));
        assertEquals(1009, h.lastTimestamp());
    }

    @Test
    void shouldRoundTripHistoryForecastAndAccuracy() {
        SeriesState s = filled(2, 5, 7);
        s.latest().record(new double[] {61.5, 62.5}, Source.LSTM, 4, Double.NaN, null);
        s.accuracy().add(8.5, 1, 0.1);
        s.history().append(new double[] {70, 71}, 2000);
        s.latest().record(new double[] {72, 73}, Source.LSTM, 4, Double.NaN, null);

        SeriesState back = SeriesState.fromBytes(s.toBytes(), 2, 5);

        assertArrayEquals(s.history().rows(), back.history().rows());
        assertEquals(8, back.history().observations());
        assertEquals(2000, back.history().lastTimestamp());
        assertArrayEquals(new double[] {72, 73}, back.latest().values());
        assertEquals(Source.LSTM, back.latest().source());
        assertEquals(4, back.latest().modelVersion());
        assertEquals(1, back.accuracy().scored());
        assertEquals(8.5, back.accuracy().onlineMae(), 1e-12);
        assertEquals(s.accuracy().naiveMae(), back.accuracy().naiveMae());
    }

    @Test
    void shouldKeepTheNewestRowsWhenTheHistorySizeShrinksAndDropAnotherFeatureCount() {
        byte[] bytes = filled(1, 8, 8).toBytes();

        SeriesState smaller = SeriesState.fromBytes(bytes, 1, 3);

        assertArrayEquals(new double[][] {{50}, {60}, {70}}, smaller.history().rows());
        assertEquals(8, smaller.history().observations());
        assertNull(SeriesState.fromBytes(bytes, 2, 8));
    }

    @Test
    void shouldRejectACorruptRecord() {
        byte[] bytes = filled(1, 8, 8).toBytes();
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(java.util.Arrays.copyOf(bytes, 30), 1, 8));
        byte[] flipped = bytes.clone();
        flipped[40] ^= 1; // a value of the history: only the checksum tells
        var e = assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(flipped, 1, 8));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        bytes[0] = 0;
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(bytes, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(new byte[] {1, 2}, 1, 8));
    }

    /** The record with a valid checksum after {@code change}: only the checks behind the checksum stand. */
    static byte[] rechecked(byte[] record) {
        var crc = new java.util.zip.CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(record.length - 4, (int) crc.getValue());
        return record;
    }

    @Test
    void shouldEitherReadOrRejectEveryRecordWithARandomIntBehindAValidChecksum() {
        SeriesState s = filled(1, 16, 20);
        s.latest().record(new double[] {1}, Source.NAIVE, 0, 2, new double[] {1, 1, 1});
        s.horizon().record(new double[] {1, 2, 3}, 20, 3);
        for (int i = 0; i < 12; i++) {
            s.interval().add(i);
        }
        byte[] ok = s.toBytes();
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] record = ok.clone();
            int at = 4 + r.nextInt(record.length - 4 - 4 - 3);
            int value = switch (r.nextInt(3)) {
                case 0 -> r.nextInt();
                case 1 -> r.nextInt(9) - 4;
                default -> 1 << r.nextInt(31);
            };
            ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
            try {
                SeriesState.fromBytes(rechecked(record), 1, 16); // reads, or throws our error: nothing else
            } catch (IllegalArgumentException expected) {
                // rejected with a message
            }
        }
    }

    @Test
    void shouldSkipAPartOfANewerBuildAndStartAMissingPartAfresh() {
        SeriesState s = filled(1, 8, 5);
        s.accuracy().add(2, 3, 0.5);
        byte[] bytes = s.toBytes();
        // rebuild the record: an unknown part (tag 200) added, the accuracy part (tag 2) left out
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        in.getInt();
        int parts = in.get();
        ByteBuffer out = ByteBuffer.allocate(bytes.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(SeriesStateFormat.MAGIC).putInt(1).put((byte) parts); // one part out, one in
        for (int i = 0; i < parts; i++) {
            int tag = in.get();
            int length = in.getInt();
            byte[] body = new byte[length];
            in.get(body);
            if (tag == Accuracy.TAG) {
                out.put((byte) 200).putInt(3).put(new byte[] {9, 9, 9});
            } else {
                out.put((byte) tag).putInt(length).put(body);
            }
        }
        out.putInt(0);
        byte[] record = rechecked(java.util.Arrays.copyOf(out.array(), out.position()));

        SeriesState back = SeriesState.fromBytes(record, 1, 8);

        assertEquals(5, back.history().observations());
        assertEquals(0, back.accuracy().scored(), "a missing part starts afresh");
    }

    /**
     * After a rollback, a record written by a newer build may hold a part in a newer layout. The
     * whole record was refused as corrupt (and the key started afresh, losing every part); now that
     * part alone starts afresh. A version older than this build's is still an error.
     */
    @Test
    void shouldStartAfreshOnlyAPartWrittenInANewerLayout() {
        SeriesState s = filled(1, 8, 5);
        s.accuracy().add(2, 3, 0.5);
        s.judgement().fallback(true);
        byte[] bytes = s.toBytes();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        in.getInt();
        int parts = in.get();
        int judgementVersionAt = -1;
        for (int i = 0; i < parts; i++) {
            int tag = in.get();
            int length = in.getInt();
            if (tag == Judgement.TAG) {
                judgementVersionAt = in.position();
            }
            in.position(in.position() + length);
        }
        byte[] newer = bytes.clone();
        newer[judgementVersionAt] = 2; // every part is in version 1 today

        SeriesState back = SeriesState.fromBytes(rechecked(newer), 1, 8);

        assertEquals(5, back.history().observations(), "the other parts are kept");
        assertEquals(1, back.accuracy().scored());
        assertFalse(back.judgement().fallback(), "the newer part starts afresh");

        byte[] older = bytes.clone();
        older[judgementVersionAt] = 0;
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(rechecked(older), 1, 8));
    }

    @Test
    void shouldStoreACompactRecordRatherThanOneEntryPerObservation() {
        int frame = 4 + 4 + 1 + 4 + 9 * 5; // magic, features, part count, checksum; each part's tag and length
        int history = 1 + 8 + 8 + 4 + 512 * 8;
        int others = (1 + 8 * 4) + (1 + 8 * 7 + 1 + 8) + (1 + 8 + 4) + (1 + 4) + (1 + 1 + 8 + 4 + 8 + 4 + 4) + (1 + 8 + 8 + 8 * 3 + 1 + 8 + 8) + (1 + 4)
                + (1 + 105 + 8 + 1 + 1); // anomalies: version, detector, last score and flag, no recent anomalies
        assertEquals(frame + history + others, filled(1, 512, 2000).toBytes().length);
        assertEquals(frame + history + others + 8 + 128 * ServedForecasts.POINT_BYTES + 8 * (8 * 5 + 1), SeriesState.maxEncodedBytes(1, 512, 0, 1),
                "at most: with a forecast, 128 served points and 8 recent anomalies");
    }

    @Test
    void shouldKeepJudgementFallbackResidualsIntervalAndHorizonAcrossARoundTrip() {
        SeriesState s = filled(1, 8, 20);
        Judgement j = s.judgement();
        j.judge(3, 32, 1.5, 2.0, 2.0 / 65);
        j.recordModelForecast(19.5);
        j.score(21, 20, 2.0 / 65);
        j.fallback(true);
        j.damped(true);
        for (int i = 0; i < 120; i++) {
            s.interval().add(i); // 100 kept: 20..119
        }
        s.interval().missLevel(0.08);
        s.latest().record(new double[] {21}, Source.NAIVE, 0, 4.5, new double[] {21, 21, 21});
        s.latest().stepHalfWidths(new double[] {4.5, 5, 6});
        s.horizon().record(new double[] {21, 22, 23}, 20, 3);
        s.horizon().score(22, 21, 3, 0.1, 0.1, 0.1);

        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8);

        Judgement bj = back.judgement();
        assertEquals(3, bj.version());
        assertEquals(33, bj.points());
        assertEquals(j.modelMae(), bj.modelMae());
        assertEquals(j.naiveMae(), bj.naiveMae());
        assertTrue(bj.fallback());
        assertTrue(bj.damped());
        assertEquals(j.dampedMae(), bj.dampedMae());
        assertEquals(1, bj.fallbacks());
        assertEquals(100, back.interval().count());
        assertEquals(20f, back.interval().smallest(0));
        assertEquals(119f, back.interval().smallest(99));
        assertEquals(0.08, back.interval().missLevel());
        assertEquals(4.5, back.latest().halfWidth());
        assertArrayEquals(new double[] {21, 21, 21}, back.latest().horizon());
        assertArrayEquals(new double[] {4.5, 5, 6}, back.latest().stepHalfWidths());
        assertEquals(3, back.horizon().steps());
        assertEquals(s.horizon().stepMae(1), back.horizon().stepMae(1));
        assertEquals(s.horizon().stepQuantile(1), back.horizon().stepQuantile(1));
    }

    @Test
    void shouldJudgeANewModelFromItsHeldOutErrorsThenOnline() {
        Judgement j = new Judgement();
        double alpha = 0.5;
        j.judge(1, 4, 3.0, 1.0, alpha);
        assertEquals(3.0, j.modelMae(), 1e-12);
        assertEquals(1.0, j.naiveMae(), 1e-12);

        j.recordModelForecast(71.0);
        j.score(71.0, 70, alpha); // model exact, naive (last value 70) off by 1
        // weights: held-out 1 - 0.5^4 = 0.9375, then (0.9375 * 0.5 + 0.5)
        double w = 0.9375 * 0.5 + 0.5;
        assertEquals(3.0 * 0.9375 * 0.5 / w, j.modelMae(), 1e-12);
        assertEquals(1.0, j.naiveMae(), 1e-12);
        assertEquals(5, j.points());
    }

    @Test
    void shouldReadARecordOfTheFirstFormat() {
        // SFS1: header, no judgement or interval fields; history 1, 2, 3
        var b = ByteBuffer.allocate(4 * 4 + 8 * 2 + 1 + 8 + 8 + 8 * 3 + 8 + 3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LegacyStateFormat.MAGIC_V1).putInt(1).putInt(4).putInt(3).putLong(3).putLong(99);
        b.put((byte) Source.LSTM.ordinal()).putLong(2).putDouble(4.0);
        b.putDouble(0.5).putDouble(1.0).putDouble(1.0).putLong(2);
        b.putDouble(1).putDouble(2).putDouble(3);

        SeriesState s = SeriesState.fromBytes(b.array(), 1, 4);

        assertEquals(3, s.history().size());
        assertEquals(3.0, s.history().value(2, 0));
        assertEquals(Source.LSTM, s.latest().source());
        assertEquals(0.5, s.accuracy().onlineMae());
        assertEquals(0, s.interval().count());
        assertFalse(s.judgement().fallback());
        assertTrue(Double.isNaN(s.anomalies().lastScore()), "no anomaly part before SFS3: its detector starts afresh");
        assertEquals(0, s.anomalies().recent().length);
    }

    @Test
    void shouldReadARecordOfTheSecondFormat() {
        // SFS2 as the previous build wrote it: history 5, 6; a naive forecast 6 ± 1.5 with a 2-step horizon
        var b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LegacyStateFormat.MAGIC_V2).putInt(1).putInt(4).putInt(2).putLong(7).putLong(1234);
        b.put((byte) Source.NAIVE.ordinal()).putLong(0).putDouble(6);
        b.putDouble(0.5).putDouble(1.0).putDouble(1.0).putLong(5); // accuracy
        b.putDouble(5.5).putLong(3).putDouble(2).putDouble(4).putDouble(3).putDouble(1).putLong(17) // judgement
                .put((byte) 1).putLong(2);
        b.putDouble(0.07).putDouble(1.5); // miss level, half-width
        b.putInt(2).putDouble(6).putDouble(6); // horizon
        b.putInt(3).putFloat(1).putFloat(3).putFloat(2); // residuals, oldest first
        b.putInt(2).putDouble(1.5).putDouble(2.5); // step half-widths
        b.putInt(2); // step statistics for 2 steps
        for (int i = 0; i < 4; i++) {
            b.putDouble(i);
        }
        for (int i = 0; i < 2; i++) {
            b.putDouble(0.5 + i).putDouble(0.25).putDouble(1 + i);
        }
        b.putDouble(5).putDouble(6);
        byte[] record = java.util.Arrays.copyOf(b.array(), b.position());

        SeriesState s = SeriesState.fromBytes(record, 1, 4);

        assertArrayEquals(new double[][] {{5}, {6}}, s.history().rows());
        assertEquals(7, s.history().observations());
        assertEquals(1234, s.history().lastTimestamp());
        assertEquals(0.5, s.accuracy().onlineMae());
        assertEquals(5, s.accuracy().scored());
        assertEquals(3, s.judgement().version());
        assertEquals(2, s.judgement().modelMae());
        assertEquals(17, s.judgement().points());
        assertTrue(s.judgement().fallback());
        assertFalse(s.judgement().damped());
        assertEquals(2, s.judgement().fallbacks());
        assertEquals(0.07, s.interval().missLevel());
        assertEquals(3, s.interval().count());
        assertEquals(2f, s.interval().smallest(1));
        assertEquals(1.5, s.latest().halfWidth());
        assertArrayEquals(new double[] {6, 6}, s.latest().horizon());
        assertArrayEquals(new double[] {1.5, 2.5}, s.latest().stepHalfWidths());
        assertEquals(2, s.horizon().steps());
        assertEquals(0.5 / 0.25, s.horizon().stepMae(1));
        assertEquals(2, s.horizon().stepQuantile(2));
        assertTrue(Double.isNaN(s.anomalies().lastScore()), "no anomaly part before SFS3: its detector starts afresh");

        SeriesState again = SeriesState.fromBytes(s.toBytes(), 1, 4); // written back in today's format
        assertEquals(s.judgement().modelMae(), again.judgement().modelMae());
        assertArrayEquals(s.history().rows(), again.history().rows());
    }

    @Test
    void shouldKeepTheRecentErrorsSortedAsTheyComeAndGo() {
        Random random = new Random(4);
        IntervalErrors errors = new IntervalErrors(50);
        java.util.ArrayDeque<Float> window = new java.util.ArrayDeque<>();
        for (int i = 0; i < 400; i++) {
            float e = random.nextInt(30) / 2f; // many ties
            errors.add(e);
            window.addLast(e);
            if (window.size() > 50) {
                window.removeFirst();
            }
            if (i % 7 == 3 || i > 380) { // sorted on first use, then kept so
                float[] expected = new float[window.size()];
                int j = 0;
                for (float f : window) {
                    expected[j++] = f;
                }
                java.util.Arrays.sort(expected);
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], errors.smallest(k), "error " + k + " after " + (i + 1));
                }
            }
        }
        SeriesState s = new SeriesState(new History(1, 8), new Accuracy(), new Judgement(), errors, new HorizonErrors(), new LatestForecast());
        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8, 50);
        assertEquals(errors.smallest(0), back.interval().smallest(0));
        assertEquals(errors.smallest(49), back.interval().smallest(49));
    }

    @Test
    void shouldKeepWhatWasServedAgainstWhatHappenedForTheLastPoints() {
        ServedForecasts served = new ServedForecasts(3);
        LatestForecast latest = new LatestForecast();
        served.add(1000, 5, latest, false, false); // nothing was served yet
        latest.record(new double[] {6}, Source.NAIVE, 0, Double.NaN, null);
        served.add(2000, 7, latest, true, false);
        latest.record(new double[] {8}, Source.LSTM, 3, 0.5, null);
        served.add(3000, 9, latest, false, true); // outside 8 ± 0.5
        latest.record(new double[] {9.5}, Source.LSTM, 4, 1, null);
        served.add(4000, 10, latest, false, false); // inside 9.5 ± 1; the first point leaves

        ServedForecasts.Point[] points = served.last(10);
        assertEquals(3, points.length);
        assertEquals(2000, points[0].timestamp());
        assertEquals(Source.NAIVE, points[0].source());
        assertTrue(points[0].fallback());
        assertFalse(points[0].outside(), "no interval: not outside");
        assertTrue(points[1].outside());
        assertTrue(points[1].damped());
        assertEquals(3, points[1].modelVersion());
        assertFalse(points[2].outside());
        assertEquals(4, points[2].modelVersion());
        assertEquals(0.5, served.coverage());

        SeriesState s = new SeriesState(new History(1, 8), new Accuracy(), new Judgement(), new IntervalErrors(10), new HorizonErrors(),
                new LatestForecast(), new Drift(), served);
        ServedForecasts back = SeriesState.fromBytes(s.toBytes(), 1, 8, 10, 2).served();
        assertEquals(2, back.count(), "a smaller ring keeps the newest");
        assertEquals(points[2], back.last(1)[0]);
        assertEquals(points[1], back.last(2)[0]);
    }
}
