package io.streamforecaster.tools.chaos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The records of a chaos run, by sequence number: series observations, with bad records mixed in. */
public interface Workload {

    /** The series' keys, by series index (what {@link Ledger} maps forecasts to). */
    List<byte[]> keys();

    /** Records in all. */
    int size();

    /** The record with this sequence number, or null for a slot this workload leaves empty. */
    Planned record(int seq);

    /**
     * One input record.
     *
     * @param series the series index, or {@link Ledger#BAD} for a record that must be dead-lettered
     * @param category what kind of bad record ({@code "good"} for an observation)
     * @param key the key bytes (null for a record without a key)
     */
    record Planned(int series, String category, byte[] key, byte[] value) {
    }

    /** Key {@code k} of the series workloads. */
    static String key(int k) {
        return String.format("chaos-%05d", k);
    }

    static List<byte[]> keys(int count) {
        List<byte[]> keys = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            keys.add(key(k).getBytes(StandardCharsets.UTF_8));
        }
        return keys;
    }

    /** Observation {@code step} of series {@code k}: a level of its own, a daily cycle and a little noise. */
    static double value(int k, long step) {
        double level = 20 + (k % 97);
        double v = level + 5 * Math.sin(2 * Math.PI * (step + k) / 48.0) + ((step * 7919 + k) % 13) * 0.1;
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * {@code keys} series, their observations in turn (record {@code g} of the good ones is step
     * {@code g / keys} of series {@code g % keys}), and every {@code badEvery}-th record a bad one
     * of the kinds every producer gets wrong sooner or later, each for one dead-letter reason.
     */
    final class Series implements Workload {
        private static final String[] BAD_KINDS = {"not-a-number", "non-finite", "empty-value", "null-key", "too-large", "wrong-dimension"};

        private final List<byte[]> keys;
        private final int size;
        private final int badEvery;
        private final int maxBytes;

        /** @param badEvery one record in this many is bad (0: none) */
        public Series(int keys, int size, int badEvery, int maxBytes) {
            if (keys < 1 || size < 1 || badEvery < 0 || badEvery == 1) {
                throw new IllegalArgumentException("Invalid series workload: keys = " + keys + ", size = " + size + ", badEvery = " + badEvery);
            }
            this.keys = Workload.keys(keys);
            this.size = size;
            this.badEvery = badEvery;
            this.maxBytes = maxBytes;
        }

        @Override
        public List<byte[]> keys() {
            return keys;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Planned record(int seq) {
            if (badEvery > 0 && seq % badEvery == badEvery - 1) {
                int n = seq / badEvery;
                return bad(BAD_KINDS[n % BAD_KINDS.length], keys.get(n % keys.size()), seq);
            }
            int good = badEvery > 0 ? seq - seq / badEvery : seq;
            int k = good % keys.size();
            return new Planned(k, "good", keys.get(k), Double.toString(value(k, good / keys.size())).getBytes(StandardCharsets.UTF_8));
        }

        /** Good records among the first {@code records} records. */
        public int goodIn(int records) {
            return badEvery > 0 ? records - records / badEvery : records;
        }

        private Planned bad(String kind, byte[] key, int seq) {
            String value = switch (kind) {
                case "not-a-number" -> "reading-" + seq;
                case "non-finite" -> "NaN";
                case "empty-value" -> "";
                case "null-key" -> "1.5";
                case "too-large" -> "1".repeat(maxBytes + 1);
                case "wrong-dimension" -> "{\"values\": [1.0, 2.0]}";
                default -> throw new IllegalStateException(kind);
            };
            return new Planned(Ledger.BAD, kind, kind.equals("null-key") ? null : key, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
