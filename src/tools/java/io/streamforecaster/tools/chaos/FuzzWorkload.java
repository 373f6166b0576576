package io.streamforecaster.tools.chaos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Good observations with fuzzed records interleaved: random bytes, random and deeply nested JSON,
 * boundary numbers, bad timestamps, huge values, keys that are not valid UTF-8 (or empty, too long,
 * or the service's internal key) and oversized records. Every fuzzed record is bad by construction
 * and must end in the dead-letter topic, except the largest accepted values (±1e150), which go to
 * keys of their own and are observations like any other. The same seed gives the same records; the clean
 * variant leaves the fuzzed slots empty, so that the good records keep their sequence numbers (and
 * timestamps) in both runs.
 */
public final class FuzzWorkload implements Workload {

    static final String[] CATEGORIES = {"random-bytes", "random-json", "nested-json", "boundary-number", "bad-timestamp",
        "invalid-utf8-key", "odd-key", "oversized", "extreme-value"};
    /**
     * Fuzzed records per key of the extreme but valid values: one fuzzed record in nine is such a
     * value, so a key gets about 280 of them, fewer than a first model needs (training stays off).
     */
    static final int FUZZ_PER_EXTREME_KEY = 2_500;

    private final Workload.Series good;
    private final int goodRecords;
    private final int fuzz;
    private final int period;
    private final boolean clean;
    private final long seed;
    private final List<byte[]> keys;
    private final int maxBytes;
    /** Keys of their own for the extreme values: at least 4, more for a longer run. */
    private final int extremeKeys;

    /**
     * @param keys good series
     * @param goodRecords good observations in all
     * @param fuzz fuzzed records in all
     * @param clean leave the fuzzed slots empty (the baseline run)
     */
    public FuzzWorkload(int keys, int goodRecords, int fuzz, boolean clean, long seed, int maxBytes) {
        this.good = new Workload.Series(keys, goodRecords, 0, maxBytes);
        this.goodRecords = goodRecords;
        this.fuzz = fuzz;
        this.period = Math.max(2, (goodRecords + fuzz) / Math.max(1, fuzz));
        this.clean = clean;
        this.seed = seed;
        this.maxBytes = maxBytes;
        this.keys = new ArrayList<>(good.keys());
        this.extremeKeys = Math.max(4, fuzz / FUZZ_PER_EXTREME_KEY);
        for (int i = 0; i < extremeKeys; i++) {
            this.keys.add(("fuzz-extreme-" + i).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public List<byte[]> keys() {
        return keys;
    }

    @Override
    public int size() {
        return goodRecords + fuzz;
    }

    /** Fuzzed slots come every {@code period} records while fuzzed records remain, then good ones only. */
    private boolean fuzzSlot(int seq) {
        return seq % period == period - 1 && seq / period < fuzz;
    }

    private int goodIndex(int seq) {
        return seq - Math.min(fuzz, (seq + 1) / period);
    }

    /** The fuzz category planned at {@code seq}, or "good" for an observation of a good series, without building the record. */
    String category(int seq) {
        return fuzzSlot(seq) ? CATEGORIES[(seq / period) % CATEGORIES.length] : "good";
    }

    @Override
    public Planned record(int seq) {
        if (!fuzzSlot(seq)) {
            Planned p = good.record(goodIndex(seq));
            return p;
        }
        if (clean) {
            return null;
        }
        int n = seq / period;
        Random r = new Random(seed * 1_000_003L + n);
        String category = category(seq);
        byte[] key = good.keys().get(r.nextInt(good.keys().size()));
        return switch (category) {
            case "random-bytes" -> bad(category, key, randomBytes(r));
            case "random-json" -> bad(category, key, utf8(randomJson(r)));
            case "nested-json" -> bad(category, key, utf8(nested(r)));
            case "boundary-number" -> bad(category, key, utf8(boundary(r)));
            case "bad-timestamp" -> bad(category, key, utf8(badTimestamp(r)));
            case "invalid-utf8-key" -> bad(category, invalidUtf8(r), utf8("1.5"));
            case "odd-key" -> bad(category, oddKey(r), utf8("1.5"));
            case "oversized" -> bad(category, key, oversized(r));
            case "extreme-value" -> extreme(n);
            default -> throw new IllegalStateException(category);
        };
    }

    /** Bytes of keys and values by category ("good" for the observations), as the run sends them. */
    public java.util.Map<String, Long> bytesByCategory() {
        java.util.Map<String, Long> bytes = new java.util.TreeMap<>();
        for (int seq = 0; seq < size(); seq++) {
            Planned p = record(seq);
            if (p != null) {
                bytes.merge(p.category(), (long) (p.key() == null ? 0 : p.key().length) + (p.value() == null ? 0 : p.value().length), Long::sum);
            }
        }
        return bytes;
    }

    private static Planned bad(String category, byte[] key, byte[] value) {
        return new Planned(Ledger.BAD, category, key, value);
    }

    /**
     * Alternately the largest accepted values of both signs (the default {@code input.max-abs-value},
     * 1e150), on keys of their own: accepted, forecast like any value, every gauge finite.
     */
    private Planned extreme(int n) {
        int k = (n / CATEGORIES.length) % extremeKeys;
        double v = (n / CATEGORIES.length / extremeKeys) % 2 == 0 ? 1e150 : -1e150;
        return new Planned(good.keys().size() + k, "good", keys.get(good.keys().size() + k), utf8(Double.toString(v)));
    }

    /** Random bytes ending in 'x', which no number or JSON object ends with. */
    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(300)];
        r.nextBytes(b);
        b[b.length - 1] = 'x';
        return b;
    }

    /** A random JSON document without a usable observation: other fields, or "value"/"values" of the wrong kind. */
    private static String randomJson(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> "{" + field(r, "f" + r.nextInt(100)) + "}";
            case 1 -> "{\"value\": \"v" + r.nextInt(1000) + "\"}";
            case 2 -> "{\"value\": " + (r.nextBoolean() ? "true" : "null") + "}";
            case 3 -> "{\"value\": " + value(r, 3) + ", \"value\": {\"nested\": 1}}";
            case 4 -> "{\"values\": [" + r.nextDouble() + ", " + r.nextDouble() + ", " + r.nextDouble() + "]}";
            case 5 -> "{\"values\": \"v" + r.nextInt(10) + "\"}";
            case 6 -> "[" + r.nextDouble() + "]";
            default -> "{\"value\": " + r.nextDouble() + ", " + field(r, "extra") + ",";
        };
    }

    private static String field(Random r, String name) {
        return "\"" + name + "\": " + value(r, 3);
    }

    private static String value(Random r, int depth) {
        int kind = depth == 0 ? r.nextInt(3) : r.nextInt(5);
        return switch (kind) {
            case 0 -> "\"s" + r.nextInt(1000) + "\"";
            case 1 -> r.nextBoolean() ? "false" : "null";
            case 2 -> "{\"x\": \"y\"}";
            case 3 -> "[" + value(r, depth - 1) + ", " + value(r, depth - 1) + "]";
            default -> "{\"k\": " + value(r, depth - 1) + "}";
        };
    }

    /** JSON nested far deeper than any parser should follow, within the size limit. */
    private static String nested(Random r) {
        int depth = 500 + r.nextInt(1400);
        StringBuilder s = new StringBuilder("{\"value\": ");
        s.append("[".repeat(depth)).append("1").append("]".repeat(depth)).append("}");
        return s.toString();
    }

    private String boundary(Random r) {
        String[] values = {"1e309", "-1e309", "1.7976931348623157E308", "-1.7976931348623157E308", "1.0000001e150", "NaN", "-NaN", "Infinity", "-Infinity", "+Inf", "1e", ".", "-", "+", "0x1F", "1.2.3",
            "--1", "1_000", "\u0000", "1e-", "١٢٣", "{\"value\": 1e309}", "{\"value\": \"NaN\"}",
            "9".repeat(maxBytes - 1) + "x", "1".repeat(maxBytes + 1), " ", "\t\n"};
        return values[r.nextInt(values.length)];
    }

    private static String badTimestamp(Random r) {
        String[] ts = {"-1", "-86400000", "\"1969-12-31T23:59:59Z\"", "9223372036854775808", "-9223372036854775809",
            "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"", "\"not a date\"", "true", "1.5e300"};
        return "{\"value\": 1.5, \"timestamp\": " + ts[r.nextInt(ts.length)] + "}";
    }

    /** Bytes that no UTF-8 decoder accepts: a lone continuation byte, an overlong form, a surrogate, a cut sequence. */
    private static byte[] invalidUtf8(Random r) {
        byte[][] forms = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xFF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
        byte[] form = forms[r.nextInt(forms.length)];
        byte[] prefix = ("host-" + r.nextInt(50) + ".").getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[prefix.length + form.length];
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        System.arraycopy(form, 0, key, prefix.length, form.length);
        return key;
    }

    /** An empty key, a key far longer than any series id, or the service's internal key of the shared model. */
    private static byte[] oddKey(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new byte[0];
            case 1 -> utf8("k".repeat(10_000 + r.nextInt(10_000)));
            default -> utf8("\u0000shared");
        };
    }

    /** Values far above input.max-bytes (up to 900 KB, under the broker's message limit). */
    private static byte[] oversized(Random r) {
        byte[] b = new byte[64 * 1024 + r.nextInt(836 * 1024)];
        java.util.Arrays.fill(b, (byte) '7');
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
