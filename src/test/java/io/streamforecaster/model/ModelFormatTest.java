package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelFormatTest {

    static ModelSnapshot randomModel(Variant variant, int nSteps, int nFeatures, int units, long seed) {
        Random r = new Random(seed);
        List<LstmWeights> lstms = new ArrayList<>();
        for (int i = 0; i < variant.lstmLayers(); i++) {
            int nIn = i == 1 && variant == Variant.STACKED ? units : nFeatures;
            lstms.add(new LstmWeights(nIn, units, floats(r, nIn * 4 * units), floats(r, units * 4 * units), floats(r, 4 * units)));
        }
        int denseIn = variant == Variant.BIDIRECTIONAL ? 2 * units : units;
        double[] mean = new double[nFeatures];
        double[] std = new double[nFeatures];
        for (int f = 0; f < nFeatures; f++) {
            mean[f] = r.nextGaussian() * 100;
            std[f] = 1 + r.nextDouble() * 10;
        }
        return new ModelSnapshot(variant, nSteps, nFeatures, units, new Scaler(mean, std), lstms,
                new DenseWeights(denseIn, nFeatures, floats(r, denseIn * nFeatures), floats(r, nFeatures)),
                3, 1_700_000_000_000L, 0.125, 4242);
    }

    static float[] floats(Random r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void shouldRoundTripEveryField(Variant variant) {
        ModelSnapshot model = randomModel(variant, 12, 2, 5, 1);

        ModelSnapshot back = ModelFormat.decode(ModelFormat.encode(model));

        assertEquals(model.variant(), back.variant());
        assertEquals(model.nSteps(), back.nSteps());
        assertEquals(model.nFeatures(), back.nFeatures());
        assertEquals(model.units(), back.units());
        assertEquals(model.scaler(), back.scaler());
        assertEquals(model.version(), back.version());
        assertEquals(model.trainedAt(), back.trainedAt());
        assertEquals(model.trainingLoss(), back.trainingLoss());
        assertEquals(model.observations(), back.observations());
        for (int i = 0; i < model.lstms().size(); i++) {
            assertArrayEquals(model.lstms().get(i).inputWeights(), back.lstms().get(i).inputWeights());
            assertArrayEquals(model.lstms().get(i).recurrentWeights(), back.lstms().get(i).recurrentWeights());
            assertArrayEquals(model.lstms().get(i).bias(), back.lstms().get(i).bias());
        }
        assertArrayEquals(model.dense().weights(), back.dense().weights());
        double[][] window = new double[12][];
        for (int t = 0; t < 12; t++) {
            window[t] = new double[] {t, -t};
        }
        assertArrayEquals(FastForecaster.forecast(model, window), FastForecaster.forecast(back, window));
    }

    @Test
    void shouldRejectAFlippedByteWithAChecksumError() {
        byte[] bytes = ModelFormat.encode(randomModel(Variant.VANILLA, 4, 1, 3, 2));
        bytes[bytes.length / 2] ^= 0x10;

        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelFormat.decode(bytes));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void shouldRejectATruncatedRecord() {
        byte[] bytes = ModelFormat.encode(randomModel(Variant.STACKED, 4, 1, 3, 3));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 40);

        assertThrows(InvalidModelException.class, () -> ModelFormat.decode(cut));
    }

    @Test
    void shouldRejectForeignBytesAndJavaSerializedObjects() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var oos = new java.io.ObjectOutputStream(out)) {
            oos.writeObject(new java.util.ArrayList<>(List.of("x")));
        }

        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelFormat.decode(out.toByteArray()));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertThrows(InvalidModelException.class, () -> ModelFormat.decode(new byte[3]));
    }

    @Test
    void shouldRejectAnUnknownFormatVersion() {
        byte[] bytes = ModelFormat.encode(randomModel(Variant.VANILLA, 4, 1, 3, 4));
        bytes[5] = 99;

        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelFormat.decode(bytes));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void shouldScaleWindowsRelativeToTheirLastRowInUnitsOfTheTypicalChange() {
        // changes 2, 2, 6: mean 10/3, deviation sqrt(((2-10/3)^2 * 2 + (6-10/3)^2) / 3)
        Scaler s = Scaler.fit(new double[][] {{1, 5}, {3, 5}, {5, 5}, {11, 5}});
        double expected = Math.sqrt((2 * Math.pow(2 - 10.0 / 3, 2) + Math.pow(6 - 10.0 / 3, 2)) / 3);
        assertEquals(expected, s.std()[0], 1e-12);
        assertEquals(1.0, s.std()[1], "a constant feature gets scale 1");
        assertArrayEquals(new double[] {5, 5}, s.mean());

        double[][] window = {{7, 5}, {9, 6}};
        double[][] scaled = s.scaleWindow(window);
        assertArrayEquals(new double[] {-2 / expected, -1}, scaled[0], 1e-12);
        assertArrayEquals(new double[] {0, 0}, scaled[1]);
        assertArrayEquals(new double[] {10, 8}, s.unscale(window, s.scaleTarget(window, new double[] {10, 8})), 1e-12);
    }

    /** Every series reaches the network at unit scale, whatever its units: one in 1e-12s was left unscaled (std 1), so it learned nothing. */
    /**
     * A series at 1e100 moving by 1e89 (1e-11 of its level) was taken for constant and scaled by 1:
     * its inputs reached the network as 1e89, Infinity as floats, and every training gave a
     * non-finite model. One in 1e-200 units squared its changes to 0 and was scaled by 1 too.
     */
    @Test
    void shouldScaleASeriesAtAHugeLevelOrInTinyUnitsByItsOwnChanges() {
        double[][] huge = new double[200][];
        double[][] tiny = new double[200][];
        for (int i = 0; i < huge.length; i++) {
            huge[i] = new double[] {1e100 + (i % 2) * 1e89};
            tiny[i] = new double[] {(i % 2) * 1e-200};
        }
        Scaler h = Scaler.fit(huge);
        assertTrue(h.std()[0] > 1e88 && h.std()[0] < 1e90, "std " + h.std()[0]);
        for (float[] row : h.scaleWindowToFloats(java.util.Arrays.copyOfRange(huge, 0, 12))) {
            assertTrue(Float.isFinite(row[0]) && Math.abs(row[0]) < 100, "input " + row[0]);
        }
        Scaler t = Scaler.fit(tiny);
        assertTrue(t.std()[0] > 1e-201 && t.std()[0] < 1e-199, "std " + t.std()[0]);
        double[][] flatAtHugeLevel = new double[50][];
        for (int i = 0; i < flatAtHugeLevel.length; i++) {
            flatAtHugeLevel[i] = new double[] {1e100};
        }
        assertEquals(1e91, Scaler.fit(flatAtHugeLevel).std()[0], 1e85, "a constant series at 1e100: a later move of 1e90 is an input of 0.1");
    }

    @Test
    void shouldScaleASeriesInSmallUnitsByItsOwnChanges() {
        double[][] rows = new double[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new double[] {1e-12 * Math.sin(i / 3.0)};
        }
        Scaler s = Scaler.fit(rows);
        assertTrue(s.std()[0] > 1e-13 && s.std()[0] < 1e-11, "std " + s.std()[0]);
        double[][] scaled = s.scaleWindow(java.util.Arrays.copyOfRange(rows, 0, 12));
        assertTrue(Math.abs(scaled[0][0]) > 0.1 && Math.abs(scaled[0][0]) < 100, "inputs at unit scale: " + scaled[0][0]);
    }

    @Test
    void shouldFallBackToTheValuesDeviationWhenChangesDoNotVaryAndRejectAnInvalidScaler() {
        Scaler steady = Scaler.fit(new double[][] {{10}, {20}, {30}, {40}});
        assertEquals(Math.sqrt(125), steady.std()[0], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Scaler(new double[] {0}, new double[] {0}));
    }

    /** Offsets of format 2's fields, as {@link ModelFormat} writes them. */
    static final int N_STEPS_AT = 7;
    static final int N_FEATURES_AT = 11;
    static final int UNITS_AT = 15;
    static final int SCALER_AT = 4 + 2 + 1 + 12 + 8 + 8 + 8 + 8 + ModelFormat.ASSESSMENT_BYTES;

    /** The record with the int at {@code offset} replaced and a valid checksum: passes the CRC, so only the checks behind it stand. */
    static byte[] withInt(byte[] record, int offset, int value) {
        byte[] out = record.clone();
        java.nio.ByteBuffer.wrap(out).putInt(offset, value);
        return withValidCrc(out);
    }

    static byte[] withValidCrc(byte[] out) {
        var crc = new java.util.zip.CRC32();
        crc.update(out, 0, out.length - 4);
        java.nio.ByteBuffer.wrap(out).putInt(out.length - 4, (int) crc.getValue());
        return out;
    }

    /** Where the first LSTM layer's nIn is, for a model with {@code nFeatures}. */
    static int firstLayerAt(int nFeatures) {
        return SCALER_AT + 16 * nFeatures + 1 + 1;
    }

    @Test
    void shouldRejectHostileDimensionsBehindAValidChecksum() {
        byte[] ok = ModelFormat.encode(randomModel(Variant.VANILLA, 4, 1, 3, 5));
        int layer = firstLayerAt(1);
        List<byte[]> hostile = List.of(
                withInt(ok, N_STEPS_AT, 0), withInt(ok, N_STEPS_AT, -4), withInt(ok, N_STEPS_AT, 1 << 20),
                withInt(ok, N_FEATURES_AT, 1 << 16), withInt(ok, UNITS_AT, 65536), withInt(ok, UNITS_AT, Integer.MIN_VALUE),
                // 65536 x 4 x 65536 wraps to 0 in int arithmetic: once read as "no weights" and then padded out to 68 GB of rows
                withInt(withInt(ok, layer, 65536), layer + 4, 65536),
                // within the bounds, but the weights those sizes need are not in the record
                withInt(withInt(ok, layer, 1024), layer + 4, 1024),
                withInt(ok, layer + 4, 4), // layer units differ from the model's
                withInt(ok, layer, -1));
        for (byte[] record : hostile) {
            InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelFormat.decode(record));
            assertTrue(e.getMessage().startsWith("Model record"), e.getMessage());
        }
        byte[] moreLayers = ok.clone();
        moreLayers[layer - 1] = 2; // a vanilla model claiming two LSTM layers
        assertThrows(InvalidModelException.class, () -> ModelFormat.decode(withValidCrc(moreLayers)));
        byte[] badVariant = ok.clone();
        badVariant[6] = 9;
        assertThrows(InvalidModelException.class, () -> ModelFormat.decode(withValidCrc(badVariant)));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void shouldEitherReadOrRejectEveryRecordWithARandomIntBehindAValidChecksum(Variant variant) {
        byte[] ok = ModelFormat.encode(randomModel(variant, 4, 2, 3, 6));
        Random r = new Random(7);
        double[][] window = {{1, 2}, {2, 3}, {3, 4}, {4, 5}};
        int read = 0;
        for (int i = 0; i < 20_000; i++) {
            int at = 6 + r.nextInt(ok.length - 4 - 6 - 3);
            int value = switch (r.nextInt(4)) {
                case 0 -> r.nextInt();
                case 1 -> r.nextInt(9) - 4;
                case 2 -> 1 << r.nextInt(31);
                default -> Integer.MAX_VALUE - r.nextInt(3);
            };
            byte[] record = withInt(ok, at, value);
            ModelSnapshot m;
            try {
                m = ModelFormat.decode(record);
            } catch (InvalidModelException e) {
                continue; // rejected with our error: fine; anything else fails the test
            }
            read++;
            if (m.nSteps() == 4 && m.nFeatures() == 2) {
                FastForecaster.forecast(m, window); // a record that reads must forecast without throwing
            }
        }
        assertTrue(read > 0, "some mutations (of weights) must still read");
    }
}
