package io.streamforecaster.model;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Our own binary format for {@link ModelSnapshot}: never Java serialization, so a corrupt or
 * hostile record is rejected with a clear error instead of running code.
 *
 * <pre>
 * magic "SFMD" | format u16 | variant u8 | nSteps i32 | nFeatures i32 | units i32
 * | version i64 | trainedAt i64 | trainingLoss f64 | observations i64
 * | (format 2) checkedAt i64 | checkedObservations i64 | rejections i64 | holdoutPoints i32
 *   | holdoutMae f64 | holdoutNaiveMae f64 | challengerMae f64
 * | nFeatures x (mean f64, std f64) | (format 2) scaler flags u8: 1 = per window | nLstm u8 | per LSTM: nIn i32, units i32, W, RW, b (f32)
 * | dense: nIn i32, nOut i32, W, b (f32) | CRC32 of everything before, i32
 * </pre>
 *
 * Format 1 (no assessment) is still read, so models stored by an older build keep serving.
 */
public final class ModelFormat {

    public static final int MAGIC = 0x53464D44; // "SFMD"
    public static final int FORMAT_VERSION = 2;
    static final int ASSESSMENT_BYTES = 8 + 8 + 8 + 4 + 8 + 8 + 8;

    private ModelFormat() {
    }

    /** The size of a model record of this shape (checked against Kafka's request size at startup). */
    public static long encodedBytes(Variant variant, int nFeatures, int units) {
        long u = units;
        long lstm1 = 4 * u * (nFeatures + u + 1);
        long lstm2 = switch (variant) {
            case VANILLA -> 0;
            case STACKED -> 4 * u * (u + u + 1);
            case BIDIRECTIONAL -> lstm1;
        };
        long denseIn = variant == Variant.BIDIRECTIONAL ? 2 * u : u;
        long parameters = lstm1 + lstm2 + denseIn * nFeatures + nFeatures;
        return headerBytes(nFeatures, variant.lstmLayers()) + 4 * parameters + 4;
    }

    private static long headerBytes(int nFeatures, int lstms) {
        return 4 + 2 + 1 + 12 + 8 + 8 + 8 + 8 + ASSESSMENT_BYTES + 16L * nFeatures + 1 + 1 + lstms * 8L + 8;
    }

    public static byte[] encode(ModelSnapshot m) {
        long size = headerBytes(m.nFeatures(), m.lstms().size()) + 4L * m.parameterCount() + 4;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
        b.putInt(MAGIC).putShort((short) FORMAT_VERSION).put((byte) m.variant().ordinal());
        b.putInt(m.nSteps()).putInt(m.nFeatures()).putInt(m.units());
        b.putLong(m.version()).putLong(m.trainedAt()).putDouble(m.trainingLoss()).putLong(m.observations());
        var a = m.assessment();
        b.putLong(a.checkedAt()).putLong(a.checkedObservations()).putLong(a.rejections()).putInt(a.holdoutPoints())
                .putDouble(a.holdoutMae()).putDouble(a.holdoutNaiveMae()).putDouble(a.challengerMae());
        for (int f = 0; f < m.nFeatures(); f++) {
            b.putDouble(m.scaler().mean()[f]).putDouble(m.scaler().std()[f]);
        }
        b.put((byte) (m.scaler().perWindow() ? 1 : 0));
        b.put((byte) m.lstms().size());
        for (LstmWeights l : m.lstms()) {
            b.putInt(l.nIn()).putInt(l.units());
            putFloats(b, l.inputWeights());
            putFloats(b, l.recurrentWeights());
            putFloats(b, l.bias());
        }
        b.putInt(m.dense().nIn()).putInt(m.dense().nOut());
        putFloats(b, m.dense().weights());
        putFloats(b, m.dense().bias());
        b.putInt((int) crc(b.array(), b.position()));
        return b.array();
    }

    /** What a model record says about itself, read from its header without its weights: for listings of many keys. */
    public record Summary(Variant variant, long version, long trainedAt, double trainingLoss) {
    }

    /** The record's header, checked (magic, format, checksum), without decoding its weights. */
    public static Summary summary(byte[] bytes) {
        if (bytes == null || bytes.length < 4 + 2 + 1 + 12 + 8 + 8 + 8 + 4) {
            throw new InvalidModelException("Model record too short");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) {
            throw new InvalidModelException("Not a stream-forecaster model record (bad magic)");
        }
        int format = b.getShort() & 0xFFFF;
        if (format != 1 && format != FORMAT_VERSION) {
            throw new InvalidModelException("Unsupported model format version " + format);
        }
        long stored = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt());
        if (stored != crc(bytes, bytes.length - 4)) {
            throw new InvalidModelException("Model record is corrupt: checksum mismatch");
        }
        int variantIndex = b.get();
        if (variantIndex < 0 || variantIndex >= Variant.values().length) {
            throw new InvalidModelException("Unknown variant code " + variantIndex);
        }
        b.position(b.position() + 12);
        return new Summary(Variant.values()[variantIndex], b.getLong(), b.getLong(), b.getDouble());
    }

    public static ModelSnapshot decode(byte[] bytes) {
        if (bytes == null || bytes.length < 10) {
            throw new InvalidModelException("Model record too short: " + (bytes == null ? 0 : bytes.length) + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) {
            throw new InvalidModelException("Not a stream-forecaster model record (bad magic)");
        }
        int format = b.getShort() & 0xFFFF;
        if (format != 1 && format != FORMAT_VERSION) {
            throw new InvalidModelException("Unsupported model format version " + format + " (this build reads 1 to " + FORMAT_VERSION + ")");
        }
        long stored = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt());
        if (stored != crc(bytes, bytes.length - 4)) {
            throw new InvalidModelException("Model record is corrupt: checksum mismatch");
        }
        try {
            int variantIndex = b.get();
            if (variantIndex < 0 || variantIndex >= Variant.values().length) {
                throw new InvalidModelException("Unknown variant code " + variantIndex);
            }
            Variant variant = Variant.values()[variantIndex];
            int nSteps = dimension(b.getInt(), "nSteps", TrainingSettings.MAX_STEPS);
            int nFeatures = dimension(b.getInt(), "nFeatures", TrainingSettings.MAX_FEATURES);
            int units = dimension(b.getInt(), "units", TrainingSettings.MAX_UNITS);
            long version = b.getLong();
            long trainedAt = b.getLong();
            double loss = b.getDouble();
            long observations = b.getLong();
            ModelSnapshot.Assessment assessment = format == 1 ? ModelSnapshot.Assessment.none(trainedAt, observations)
                    : new ModelSnapshot.Assessment(b.getLong(), b.getLong(), b.getLong(), b.getInt(),
                            b.getDouble(), b.getDouble(), b.getDouble());
            double[] mean = new double[nFeatures];
            double[] std = new double[nFeatures];
            for (int f = 0; f < nFeatures; f++) {
                mean[f] = b.getDouble();
                std[f] = b.getDouble();
            }
            boolean perWindow = format >= 2 && (b.get() & 1) != 0;
            int nLstm = b.get();
            if (nLstm != variant.lstmLayers()) { // checked before any layer is read: their count decides what is allocated
                throw new InvalidModelException("Variant " + variant.id() + " with " + nLstm + " LSTM layers");
            }
            List<LstmWeights> lstms = new ArrayList<>(nLstm);
            for (int i = 0; i < nLstm; i++) {
                int nIn = dimension(b.getInt(), "LSTM nIn", TrainingSettings.MAX_UNITS);
                int u = dimension(b.getInt(), "LSTM units", TrainingSettings.MAX_UNITS);
                lstms.add(new LstmWeights(nIn, u, floats(b, (long) nIn * 4 * u), floats(b, (long) u * 4 * u), floats(b, 4L * u)));
            }
            int dIn = dimension(b.getInt(), "dense nIn", 2 * TrainingSettings.MAX_UNITS);
            int dOut = dimension(b.getInt(), "dense nOut", TrainingSettings.MAX_FEATURES);
            DenseWeights dense = new DenseWeights(dIn, dOut, floats(b, (long) dIn * dOut), floats(b, dOut));
            if (b.remaining() != 4) {
                throw new InvalidModelException("Model record has " + (b.remaining() - 4) + " unexpected trailing bytes");
            }
            return new ModelSnapshot(variant, nSteps, nFeatures, units, new Scaler(mean, std, perWindow), lstms, dense,
                    version, trainedAt, loss, observations, assessment);
        } catch (BufferUnderflowException e) {
            throw new InvalidModelException("Model record is truncated", e);
        } catch (InvalidModelException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException("Model record is inconsistent: " + e.getMessage(), e);
        }
    }

    private static int dimension(int value, String what, int max) {
        if (value < 1 || value > max) {
            throw new InvalidModelException("Model record has invalid " + what + " = " + value);
        }
        return value;
    }

    /** Reads {@code count} floats, after checking that the record holds them: a count decides an allocation. */
    private static float[] floats(ByteBuffer b, long count) {
        if (count < 0 || count * 4 > b.remaining()) {
            throw new InvalidModelException("Model record is truncated or inconsistent: needs " + count + " more parameters, has "
                    + b.remaining() / 4);
        }
        float[] out = new float[(int) count];
        b.asFloatBuffer().get(out);
        b.position(b.position() + 4 * out.length);
        return out;
    }

    private static void putFloats(ByteBuffer b, float[] values) {
        b.asFloatBuffer().put(values);
        b.position(b.position() + 4 * values.length);
    }

    private static long crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
