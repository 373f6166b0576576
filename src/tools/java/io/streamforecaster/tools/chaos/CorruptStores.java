package io.streamforecaster.tools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.stream.Stores;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.rocksdb.RocksDB;

/**
 * S6: corrupt records, written while the service is down straight into the model and series
 * changelog topics (which it restores on start) and into its local RocksDB stores: random bytes,
 * a truncated record, and records that pass the magic number and the checksum but carry hostile
 * dimensions. Every key must go on: its events keep their forecasts (naive with a fresh history
 * where the history was lost), its model is trained again, and no exception escapes to the stream
 * thread or the REST API.
 */
public final class CorruptStores implements Scenario {

    /** How each group of keys is damaged. */
    enum Damage {
        NONE("untouched"),
        MODEL_CHANGELOG_GARBAGE("model changelog: random bytes"),
        MODEL_CHANGELOG_HOSTILE("model changelog: valid checksum, dimensions whose products wrap"),
        SERIES_CHANGELOG_GARBAGE("series changelog: random bytes"),
        SERIES_CHANGELOG_TRUNCATED("series changelog: a record cut short"),
        MODEL_STORE_GARBAGE("local model store: random bytes"),
        SERIES_STORE_HOSTILE("local series store: valid checksum, a part longer than the record");

        final String what;

        Damage(String what) {
            this.what = what;
        }

        boolean model() {
            return this == MODEL_CHANGELOG_GARBAGE || this == MODEL_CHANGELOG_HOSTILE || this == MODEL_STORE_GARBAGE;
        }

        boolean series() {
            return this == SERIES_CHANGELOG_GARBAGE || this == SERIES_CHANGELOG_TRUNCATED || this == SERIES_STORE_HOSTILE;
        }
    }

    /**
     * @param keysPerDamage keys in each group
     * @param after events per key after the corruption (enough for a first model: at least min-observations 64 + 12)
     */
    public record Options(int keysPerDamage, int partitions, int before, int after) {

        public static Options full() {
            return new Options(10, 2, 5, 90);
        }

        public static Options quick() {
            return new Options(2, 2, 3, 80);
        }
    }

    private final Options options;

    public CorruptStores(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "S6";
    }

    @Override
    public String title() {
        return "corrupt records in the model and series changelogs and in the local stores";
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        return List.of(runOnce(lab));
    }

    private Figures runOnce(Lab lab) throws Exception {
        String run = "s6";
        Damage[] damages = Damage.values();
        int keys = options.keysPerDamage() * damages.length;
        int beforeRecords = keys * options.before();
        Workload.Series workload = new Workload.Series(keys, keys * (options.before() + options.after()), 0, Lab.MAX_BYTES);
        // small models, so that retraining every damaged key takes seconds
        Map<String, String> overrides = Map.of("forecaster.model.units", "4", "forecaster.training.epochs", "3",
                "forecaster.training.holdout", "0");
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), true, false, overrides)) {
            Prefill.Written written = Prefill.write(lab.kafka(), run, options.partitions(), keys, h.settings(), 1,
                    System.currentTimeMillis());
            Fleet.Instance service = h.fleet().add("forecaster-0", Map.of(), Map.of()).start();
            h.startCollector();
            h.preload(beforeRecords);
            h.finish();
            service.stop();

            Map<String, Damage> damageOf = new LinkedHashMap<>();
            for (int k = 0; k < keys; k++) {
                damageOf.put(Workload.key(k), damages[k / options.keysPerDamage()]);
            }
            corrupt(lab, run, service.stateDir().resolve(run), damageOf);
            for (Damage d : damages) {
                if (d != Damage.NONE) {
                    h.faults().inject(d.what);
                }
            }
            for (int k = 0; k < keys; k++) {
                if (damageOf.get(Workload.key(k)).series()) {
                    h.ledger().freshHistory(k, beforeRecords, Lab.N_STEPS); // the contract for a fresh history: no forecast for its first n-steps - 1
                }
            }

            service.start();
            Map<String, Integer> restAfterStart = restStatuses(service, damageOf.keySet());
            h.sender().limit(workload.size());
            h.finish();
            List<String> notRetrained = new ArrayList<>();
            Awaitility.await().alias("damaged models trained again").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> retrainedOrNot(service, damageOf, written, notRetrained));
            Map<String, Integer> restAtEnd = restStatuses(service, damageOf.keySet());

            List<String> misses = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            // 503 is the answer while a key's partition is still being restored (with Retry-After), not a failure
            long errors = restAfterStart.values().stream().filter(CorruptStores::serverError).count()
                    + restAtEnd.values().stream().filter(CorruptStores::serverError).count();
            if (errors > 0) {
                misses.add(errors + " REST answers with a 5xx status other than 503");
            }
            if (!notRetrained.isEmpty()) {
                misses.add(notRetrained.size() + " damaged keys without a new model: " + notRetrained);
            }
            notes.add("REST status by key right after the restart: " + byDamage(restAfterStart, damageOf));
            notes.add("REST status by key at the end: " + byDamage(restAtEnd, damageOf));
            notes.add("lost forecasts by damage: " + lostByDamage(h.ledger(), damageOf, workload));
            long retrains = h.fleet().installs().values().stream().mapToLong(Integer::longValue).sum();
            notes.add("models installed after the damage (retrains of damaged keys, as intended): " + retrains);
            return h.figures("S6", keys + " keys, " + (damages.length - 1) + " kinds of damage", false, -1, notes, misses);
        }
    }

    /** Writes the damage: changelog records through a producer, local-store values through RocksDB (the service is down). */
    private static void corrupt(Lab lab, String applicationId, Path taskDirs, Map<String, Damage> damageOf) throws Exception {
        String models = applicationId + "-" + Stores.MODELS + "-changelog";
        String series = applicationId + "-" + Stores.SERIES + "-changelog";
        Map<String, byte[]> currentModels = latest(lab, models);
        Map<String, byte[]> currentSeries = latest(lab, series);
        Random random = new Random(6);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.kafka().bootstrapServers());
        int partitions;
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            partitions = producer.partitionsFor(models).size();
            for (var e : damageOf.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                switch (e.getValue()) {
                    case MODEL_CHANGELOG_GARBAGE -> producer.send(new ProducerRecord<>(models, key, randomBytes(random, 300)));
                    case MODEL_CHANGELOG_HOSTILE -> producer.send(new ProducerRecord<>(models, key, hostileModel(currentModels.get(e.getKey()))));
                    case SERIES_CHANGELOG_GARBAGE -> producer.send(new ProducerRecord<>(series, key, randomBytes(random, 2000)));
                    case SERIES_CHANGELOG_TRUNCATED -> {
                        byte[] s = currentSeries.get(e.getKey());
                        producer.send(new ProducerRecord<>(series, key, Arrays.copyOf(s, s.length / 2)));
                    }
                    default -> {
                    }
                }
            }
        }
        RocksDB.loadLibrary();
        for (var e : damageOf.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int partition = Utils.toPositive(Utils.murmur2(key)) % partitions;
            Path task = taskDirs.resolve("0_" + partition).resolve("rocksdb");
            if (e.getValue() == Damage.MODEL_STORE_GARBAGE) {
                put(task.resolve(Stores.MODELS), key, randomBytes(random, 300));
            } else if (e.getValue() == Damage.SERIES_STORE_HOSTILE) {
                put(task.resolve(Stores.SERIES), key, hostileSeries(currentSeries.get(e.getKey())));
            }
        }
    }

    private static void put(Path db, byte[] key, byte[] value) throws Exception {
        try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(false); RocksDB rocks = RocksDB.open(o, db.toString())) {
            if (rocks.get(key) == null) {
                throw new IllegalStateException("key " + new String(key, StandardCharsets.UTF_8) + " is not in " + db);
            }
            rocks.put(key, value);
        }
    }

    /** A valid model record with 65,535 units: under the format's dimension limit, but its parameter count wraps an int. */
    static byte[] hostileModel(byte[] valid) {
        byte[] b = valid.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.putInt(4 + 2 + 1 + 4 + 4, 65_535); // magic, format, variant, nSteps, nFeatures: then units
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        buf.putInt(b.length - 4, (int) crc.getValue());
        if (ByteBuffer.wrap(valid).getInt() != ModelFormat.MAGIC) {
            throw new IllegalStateException("not a model record");
        }
        return b;
    }

    private static boolean serverError(int status) {
        return status >= 500 && status != 503;
    }

    /**
     * A valid series-state record (SFS3: magic, features, part count, then tag and length of each
     * part, CRC32C at the end) whose first part claims almost 2 GB, with its checksum made right.
     */
    static byte[] hostileSeries(byte[] valid) {
        byte[] b = valid.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != 0x53465333) {
            throw new IllegalStateException("not an SFS3 series state record");
        }
        buf.putInt(4 + 4 + 1 + 1, 0x7FFF_FFF0);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, 0, b.length - 4);
        buf.putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The newest record of each key in a changelog topic. */
    private static Map<String, byte[]> latest(Lab lab, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.kafka().bootstrapServers());
        Map<String, byte[]> out = new TreeMap<>();
        try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        out.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> restStatuses(Fleet.Instance service, Iterable<String> keys) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String key : keys) {
            out.put(key, service.get("/series/" + key + "/model").status());
        }
        return out;
    }

    /** True once every key whose model was damaged has a model trained after the damage; fills {@code missing} with the others. */
    private static boolean retrainedOrNot(Fleet.Instance service, Map<String, Damage> damageOf, Prefill.Written written,
                                          List<String> missing) throws Exception {
        missing.clear();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (var e : damageOf.entrySet()) {
            if (!e.getValue().model()) {
                continue;
            }
            var r = service.get("/series/" + e.getKey() + "/model");
            if (r.status() != 200) {
                missing.add(e.getKey());
                continue;
            }
            JsonNode m = json.readTree(r.body());
            if (java.time.Instant.parse(m.get("trainedAt").asText()).toEpochMilli() == written.trainedAt().get(e.getKey())) {
                missing.add(e.getKey());
            }
        }
        return missing.isEmpty();
    }

    private static String byDamage(Map<String, Integer> statuses, Map<String, Damage> damageOf) {
        Map<String, Map<Integer, Integer>> out = new LinkedHashMap<>();
        statuses.forEach((key, status) -> out.computeIfAbsent(damageOf.get(key).what, d -> new TreeMap<>()).merge(status, 1, Integer::sum));
        return out.toString();
    }

    private static String lostByDamage(Ledger ledger, Map<String, Damage> damageOf, Workload.Series workload) {
        boolean[] expected = ledger.expectedForecasts();
        Map<String, Integer> lost = new LinkedHashMap<>();
        for (int s = 0; s < workload.size(); s++) {
            Workload.Planned p = workload.record(s);
            if (expected[s] && ledger.forecastCount(s) == 0) {
                lost.merge(damageOf.get(Workload.key(p.series())).what, 1, Integer::sum);
            }
        }
        return lost.isEmpty() ? "none" : lost.toString();
    }

    static String describe(Damage d) {
        return d.what.toLowerCase(Locale.ROOT);
    }
}
