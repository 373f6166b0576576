package io.streamforecaster.state;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The versioned record of a key's state:
 *
 * <pre>
 * magic "SFS3" i32 | nFeatures i32 | parts u8 | per part: tag u8, length i32, the part's bytes | CRC32C i32 of all before
 * </pre>
 *
 * little-endian (the CPU's own order: the history is copied in bulk). Each part writes its own
 * version byte first; a reader skips parts whose tag it does not know, and starts afresh a missing
 * part and one written in a newer version of its layout than it reads (after a rollback: the
 * key keeps its other parts). The checksum makes a corrupt record an error instead of a state of garbage values.
 * Records written as {@code SFS1} and {@code SFS2} by earlier builds are still read
 * ({@link LegacyStateFormat}).
 */
final class SeriesStateFormat {

    static final int MAGIC = 0x53465333; // "SFS3"
    private static final int PART_HEADER = 1 + 4;

    private SeriesStateFormat() {
    }

    static byte[] write(SeriesState state) {
        StatePart[] parts = state.parts();
        long size = 4 + 4 + 1 + 4;
        for (StatePart p : parts) {
            size += PART_HEADER + p.encodedBytes();
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(state.history().nFeatures()).put((byte) parts.length);
        for (StatePart p : parts) {
            int length = p.encodedBytes();
            b.put((byte) p.tag()).putInt(length);
            int start = b.position();
            p.write(b);
            if (b.position() - start != length) {
                throw new IllegalStateException("State part " + p.tag() + " wrote " + (b.position() - start) + " bytes, announced " + length);
            }
        }
        b.putInt(crc(b.array(), b.position()));
        return b.array();
    }

    static long maxBytes(int nFeatures, int historySize, int residualCapacity, int horizon, int servedPoints) {
        int h = horizon > 1 ? horizon : 0;
        return 4 + 4 + 1 + 4 + 9L * PART_HEADER
                + History.encodedBytes(historySize, nFeatures)
                + new Accuracy().encodedBytes()
                + new Judgement().encodedBytes()
                + IntervalErrors.encodedBytes(residualCapacity)
                + HorizonErrors.encodedBytes(h)
                + LatestForecast.encodedBytes(nFeatures, h, h)
                + new Drift().encodedBytes()
                + ServedForecasts.encodedBytes(servedPoints)
                + Anomalies.MAX_BYTES;
    }

    static SeriesState read(byte[] bytes, int nFeatures, int capacity, int residualCapacity, int servedPoints) {
        if (bytes == null || bytes.length < 8) {
            throw new IllegalArgumentException("Series state record too short");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt();
        try {
            if (magic == LegacyStateFormat.MAGIC_V1 || magic == LegacyStateFormat.MAGIC_V2) {
                return LegacyStateFormat.read(b, magic, bytes.length, nFeatures, capacity, residualCapacity, servedPoints);
            }
            if (magic != MAGIC) {
                throw new IllegalArgumentException("Not a series state record (bad magic)");
            }
            if (bytes.length < 4 + 4 + 1 + 4) {
                throw new IllegalArgumentException("Series state record too short");
            }
            int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (stored != crc(bytes, bytes.length - 4)) {
                throw new IllegalArgumentException("Series state record is corrupt: checksum mismatch");
            }
            if (b.getInt() != nFeatures) {
                return null; // n-features changed: nothing can be carried over
            }
            return parts(b, b.get() & 0xFF, bytes.length - 4, nFeatures, capacity, residualCapacity, servedPoints);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Series state record is truncated or corrupt", e);
        }
    }

    private static SeriesState parts(ByteBuffer b, int count, int end, int nFeatures, int capacity, int residualCapacity, int servedPoints) {
        History history = null;
        Accuracy accuracy = null;
        Judgement judgement = null;
        IntervalErrors interval = null;
        HorizonErrors horizon = null;
        LatestForecast latest = null;
        Drift drift = null;
        ServedForecasts served = null;
        Anomalies anomalies = null;
        for (int i = 0; i < count; i++) {
            int tag = b.get() & 0xFF;
            int length = b.getInt();
            if (length < 0 || length > end - b.position()) {
                throw new IllegalArgumentException("Series state record has a part of invalid length " + length);
            }
            ByteBuffer part = b.slice(b.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + length);
            try {
                switch (tag) {
                    case History.TAG -> history = History.read(part, nFeatures, capacity);
                    case Accuracy.TAG -> accuracy = Accuracy.read(part);
                    case Judgement.TAG -> judgement = Judgement.read(part);
                    case IntervalErrors.TAG -> interval = IntervalErrors.read(part, residualCapacity);
                    case HorizonErrors.TAG -> horizon = HorizonErrors.read(part);
                    case LatestForecast.TAG -> latest = LatestForecast.read(part, nFeatures);
                    case Drift.TAG -> drift = Drift.read(part);
                    case ServedForecasts.TAG -> served = ServedForecasts.read(part, servedPoints);
                    case Anomalies.TAG -> anomalies = Anomalies.read(part);
                    default -> {
                        // a part of a newer build: skipped
                    }
                }
            } catch (NewerLayout e) {
                // a newer build's layout of a part this build knows: started afresh below
            }
        }
        if (b.position() != end) {
            throw new IllegalArgumentException("Series state record has " + (end - b.position()) + " unexpected bytes");
        }
        return new SeriesState(history != null ? history : new History(nFeatures, capacity),
                accuracy != null ? accuracy : new Accuracy(),
                judgement != null ? judgement : new Judgement(),
                interval != null ? interval : new IntervalErrors(residualCapacity),
                horizon != null ? horizon : new HorizonErrors(),
                latest != null ? latest : new LatestForecast(),
                drift != null ? drift : new Drift(),
                served != null ? served : new ServedForecasts(servedPoints),
                anomalies != null ? anomalies : new Anomalies()); // a record of a build before anomalies: its detector starts afresh
    }

    /** A part written in a newer version of its layout than this build reads (after a rollback): it starts afresh. */
    static final class NewerLayout extends IllegalArgumentException {
        NewerLayout(String message) {
            super(message);
        }
    }

    /** Checks a part's version byte: a newer one is {@link NewerLayout}, any other mismatch an error. */
    static void version(ByteBuffer b, byte expected, String part) {
        byte v = b.get();
        if (v > expected) {
            throw new NewerLayout("Series state record has " + part + " in version " + v + " (this build reads " + expected + ")");
        }
        if (v != expected) {
            throw new IllegalArgumentException("Series state record has " + part + " in version " + v + " (this build reads " + expected + ")");
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
