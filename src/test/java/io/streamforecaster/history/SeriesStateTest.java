package io.streamforecaster.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SeriesStateTest {

    static SeriesState filled(int nFeatures, int capacity, int count) {
        SeriesState s = new SeriesState(nFeatures, capacity);
        for (int i = 0; i < count; i++) {
            double[] row = new double[nFeatures];
            for (int f = 0; f < nFeatures; f++) {
                row[f] = i * 10 + f;
            }
            s.append(row, 1000 + i);
        }
        return s;
    }

    @Test
    void shouldKeepTheNewestRowsInOrderOnceFull() {
        SeriesState s = filled(1, 4, 10);

        assertEquals(4, s.size());
        assertEquals(10, s.observations());
        assertArrayEquals(new double[][] {{60}, {70}, {80}, {90}}, s.rows());
        assertArrayEquals(new double[][] {{80}, {90}}, s.lastRows(2));
        assertArrayEquals(new double[] {90}, s.lastRow());
        assertEquals(1009, s.lastTimestamp());
    }

    @Test
    void shouldRoundTripHistoryForecastAndAccuracy() {
        SeriesState s = filled(2, 5, 7);
        s.score(new double[] {1, 2}, 0.1); // nothing to score yet
        s.recordForecast(new double[] {61.5, 62.5}, SeriesState.Source.LSTM, 4);
        s.score(new double[] {70, 71}, 0.1);
        s.append(new double[] {70, 71}, 2000);
        s.recordForecast(new double[] {72, 73}, SeriesState.Source.LSTM, 4);

        SeriesState back = SeriesState.fromBytes(s.toBytes(), 2, 5);

        assertArrayEquals(s.rows(), back.rows());
        assertEquals(8, back.observations());
        assertEquals(2000, back.lastTimestamp());
        assertArrayEquals(new double[] {72, 73}, back.forecast());
        assertEquals(SeriesState.Source.LSTM, back.forecastSource());
        assertEquals(4, back.forecastModelVersion());
        assertEquals(1, back.scored());
        assertEquals(8.5, back.onlineMae(), 1e-12);
        assertEquals(s.naiveMae(), back.naiveMae());
    }

    @Test
    void shouldKeepTheNewestRowsWhenTheHistorySizeShrinksAndDropAnotherFeatureCount() {
        byte[] bytes = filled(1, 8, 8).toBytes();

        SeriesState smaller = SeriesState.fromBytes(bytes, 1, 3);

        assertArrayEquals(new double[][] {{50}, {60}, {70}}, smaller.rows());
        assertEquals(8, smaller.observations());
        assertNull(SeriesState.fromBytes(bytes, 2, 8));
    }

    @Test
    void shouldRejectACorruptRecord() {
        byte[] bytes = filled(1, 8, 8).toBytes();
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(java.util.Arrays.copyOf(bytes, 30), 1, 8));
        bytes[0] = 0;
        assertThrows(IllegalArgumentException.class, () -> SeriesState.fromBytes(bytes, 1, 8));
    }

    @Test
    void shouldStoreACompactRecordRatherThanOneEntryPerObservation() {
        int judgement = 8 + 8 + 8 * 4 + 8 + 1 + 8; // model's own forecast, version, EW sums, points, flags, count
        int interval = 8 + 8 + 4 + 4 + 4 + 4; // miss level, half-width; counts of horizon, residuals, step widths, step statistics
        assertEquals(4 * 4 + 8 * 2 + 1 + 8 + 8 * 3 + 8 + judgement + interval + 512 * 8, filled(1, 512, 2000).toBytes().length);
    }

    @Test
    void shouldKeepJudgementFallbackResidualsIntervalAndHorizonAcrossARoundTrip() {
        SeriesState s = filled(1, 8, 20);
        s.judge(3, 32, 1.5, 2.0, 2.0 / 65);
        s.recordModelForecast(19.5);
        s.scoreModel(21, 2.0 / 65);
        s.fallback(true);
        s.damped(true);
        for (int i = 0; i < 120; i++) {
            s.addResidual(i); // 100 kept: 20..119
        }
        s.missLevel(0.08);
        s.recordForecast(new double[] {21}, SeriesState.Source.NAIVE, 0, 4.5, new double[] {21, 21, 21});

        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8);

        assertEquals(3, back.judgedVersion());
        assertEquals(33, back.judgedPoints());
        assertEquals(s.judgedModelMae(), back.judgedModelMae());
        assertEquals(s.judgedNaiveMae(), back.judgedNaiveMae());
        assertTrue(back.fallback());
        assertTrue(back.damped());
        assertEquals(s.judgedDampedMae(), back.judgedDampedMae());
        assertEquals(1, back.fallbacks());
        assertEquals(100, back.residualCount());
        assertEquals(20f, back.residual(0));
        assertEquals(119f, back.residual(99));
        assertEquals(0.08, back.missLevel());
        assertEquals(4.5, back.halfWidth());
        assertArrayEquals(new double[] {21, 21, 21}, back.horizon());
    }

    @Test
    void shouldJudgeANewModelFromItsHeldOutErrorsThenOnline() {
        SeriesState s = filled(1, 8, 8); // values 0, 10, ..., 70
        double alpha = 0.5;
        s.judge(1, 4, 3.0, 1.0, alpha);
        assertEquals(3.0, s.judgedModelMae(), 1e-12);
        assertEquals(1.0, s.judgedNaiveMae(), 1e-12);

        s.recordModelForecast(71.0);
        s.scoreModel(71.0, alpha); // model exact, naive (last value 70) off by 1
        // weights: held-out 1 - 0.5^4 = 0.9375, then (0.9375 * 0.5 + 0.5)
        double w = 0.9375 * 0.5 + 0.5;
        assertEquals(3.0 * 0.9375 * 0.5 / w, s.judgedModelMae(), 1e-12);
        assertEquals(1.0, s.judgedNaiveMae(), 1e-12);
        assertEquals(5, s.judgedPoints());
    }

    @Test
    void shouldReadARecordOfTheFirstFormat() {
        // SFS1: header, no judgement or interval fields; history 1, 2, 3
        var b = java.nio.ByteBuffer.allocate(4 * 4 + 8 * 2 + 1 + 8 + 8 + 8 * 3 + 8 + 3 * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(SeriesState.MAGIC_V1).putInt(1).putInt(4).putInt(3).putLong(3).putLong(99);
        b.put((byte) SeriesState.Source.LSTM.ordinal()).putLong(2).putDouble(4.0);
        b.putDouble(0.5).putDouble(1.0).putDouble(1.0).putLong(2);
        b.putDouble(1).putDouble(2).putDouble(3);

        SeriesState s = SeriesState.fromBytes(b.array(), 1, 4);

        assertEquals(3, s.size());
        assertEquals(3.0, s.value(2, 0));
        assertEquals(SeriesState.Source.LSTM, s.forecastSource());
        assertEquals(0.5, s.onlineMae());
        assertEquals(0, s.residualCount());
        assertFalse(s.fallback());
    }

    @Test
    void shouldKeepTheRecentErrorsSortedAsTheyComeAndGo() {
        java.util.Random random = new java.util.Random(4);
        SeriesState s = new SeriesState(1, 8, 50);
        java.util.ArrayDeque<Float> window = new java.util.ArrayDeque<>();
        for (int i = 0; i < 400; i++) {
            float e = random.nextInt(30) / 2f; // many ties
            s.addResidual(e);
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
                    assertEquals(expected[k], s.residual(k), "error " + k + " after " + (i + 1));
                }
            }
        }
        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8, 50);
        assertEquals(s.residual(0), back.residual(0));
        assertEquals(s.residual(49), back.residual(49));
    }
}
