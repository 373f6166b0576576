package io.streamforecaster.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals(4 * 4 + 8 * 2 + 1 + 8 + 8 * 3 + 8 + 512 * 8, filled(1, 512, 2000).toBytes().length);
    }
}
