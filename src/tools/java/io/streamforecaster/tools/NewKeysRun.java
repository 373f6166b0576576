package io.streamforecaster.tools;

import static io.streamforecaster.tools.TrainingBenchmark.fmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.model.TrainingEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How long new keys wait for their first models while the stream runs: the packaged service
 * (default settings but the engine) on a real single-node broker; {@code keys} new keys get
 * {@code min-observations} values each at once, then one value each per second, and the forecasts
 * on the output topic tell when each key became eligible for training (the forecast that follows
 * its 128th value: its 117th with n-steps 12, as a key is first forecast at its n-steps-th value) and
 * when it first had a model (a forecast with {@code modelVersion} 1, or one marked
 * {@code fallback}: naive served because the key's model did worse).
 */
final class NewKeysRun {

    /** The service's default {@code forecaster.training.min-observations}. */
    static final int MIN_OBSERVATIONS = 128;
    static final Duration TIMEOUT = Duration.ofMinutes(60);

    private NewKeysRun() {
    }

    /**
     * The key's forecasts by the time it is eligible for a first model: one for each value from its
     * {@code nSteps}-th on (none before, with {@code cold-start=naive}), up to its
     * {@value MIN_OBSERVATIONS}-th. (Counting {@value MIN_OBSERVATIONS} forecasts instead put
     * eligibility n-steps − 1 values late: about 7 s in this run, where keys get a value a second
     * after a first burst of about 4 s.)
     */
    static int forecastsAtEligibility(int nSteps) {
        return MIN_OBSERVATIONS - (nSteps - 1);
    }

    /** What one engine's run measured; times in seconds from the first event produced. */
    record Outcome(TrainingEngine engine, int keys, double firstEligible, double lastEligible, double firstModel,
                   double lastModel, long eventsProduced, double serviceTrainingSeconds, long serviceTrainings) {

        /** From the last key becoming eligible to the last key's first model: the queue of first models drained. */
        double waitAfterAllEligible() {
            return lastModel - lastEligible;
        }

        double keysPerMinute() {
            return keys / ((lastModel - firstEligible) / 60);
        }
    }

    static void run(int keys, List<TrainingEngine> engines, Path data) throws Exception {
        System.out.println();
        System.out.println(fmt("## %d new keys while the stream runs: the packaged service on a local broker", keys));
        List<double[]> series = series(data);
        List<Outcome> outcomes = new ArrayList<>();
        try (LocalKafka kafka = LocalKafka.start(null)) {
            for (TrainingEngine engine : engines) {
                outcomes.add(runOnce(kafka, engine, keys, series));
            }
        }
        System.out.println();
        System.out.println("| engine | keys | all eligible after | first model of the first key after | all keys with a model after "
                + "| of which after the last became eligible | first models per minute | mean training in the service "
                + "| implied for 10,000 keys |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Outcome o : outcomes) {
            double perKey = (o.lastModel() - o.firstEligible()) / o.keys();
            System.out.println(fmt("| %s | %d | %.1f s | %.1f s | **%.1f s** | %.1f s | %.0f | %.3f s (%d trainings) | about %.0f min |",
                    o.engine().id(), o.keys(), o.lastEligible(), o.firstModel(), o.lastModel(), o.waitAfterAllEligible(),
                    o.keysPerMinute(), o.serviceTrainingSeconds(), o.serviceTrainings(), 10_000 * perKey / 60));
        }
        System.out.println();
        System.out.println("(Times from the first event produced. \"Implied for 10,000\": the same rate of first models, "
                + "as the trainer serves the keys in the order they became eligible, one at a time.)");
    }

    private static Outcome runOnce(LocalKafka kafka, TrainingEngine engine, int keys, List<double[]> series) throws Exception {
        String run = "newkeys-" + engine.id() + "-" + System.currentTimeMillis();
        String input = run + "-input";
        String output = run + "-forecasts";
        kafka.createTopics(Map.of(input, 2, output, 2, run + "-dlq", 1));
        Path home = Files.createTempDirectory(run);
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ServiceProcess service = ServiceProcess.start(Map.of(
                "quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers(),
                "quarkus.kafka-streams.application-id", run,
                "kafka-streams.state.dir", home.resolve("streams").toString(),
                "forecaster.topics.input", input,
                "forecaster.topics.output", output,
                "forecaster.topics.dead-letter", run + "-dlq",
                "forecaster.training.engine", engine.id()), port, home.resolve("service.log"), List.of("-Xmx2g"));
        try (service) {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!service.isReady()) {
                if (!service.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("the service did not become ready; see " + service.log());
                }
                Thread.sleep(250); // a tool waiting for a child process, not a test
            }
            System.out.println(fmt("%s: service ready (log %s); producing %d values for each of %d keys, then one per key per second",
                    engine.id(), service.log(), MIN_OBSERVATIONS, keys));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong produced = new AtomicLong();
            long start = System.nanoTime();
            Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), input, keys, series, stop, produced), run + "-producer");
            producer.setDaemon(true);
            double[] eligible = new double[keys];
            double[] modelled = new double[keys];
            Arrays.fill(eligible, Double.NaN);
            Arrays.fill(modelled, Double.NaN);
            producer.start();
            try {
                watch(kafka.bootstrapServers(), output, run, keys, start, eligible, modelled, service);
            } finally {
                stop.set(true);
                producer.join(10_000);
            }
            double[] training = trainingSeconds(service);
            Outcome o = new Outcome(engine, keys, min(eligible), max(eligible), min(modelled), max(modelled), produced.get(),
                    training[0] / Math.max(1, training[1]), (long) training[1]);
            System.out.println(fmt("%s: all %d keys eligible after %.1f s, all with a first model after %.1f s (%d events produced)",
                    engine.id(), keys, o.lastEligible(), o.lastModel(), o.eventsProduced()));
            return o;
        }
    }

    /** One value per key per round: {@value MIN_OBSERVATIONS} rounds at once, then a round a second. */
    private static void produce(String bootstrap, String topic, int keys, List<double[]> series, AtomicBoolean stop, AtomicLong produced) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            long next = System.nanoTime();
            for (int round = 0; !stop.get(); round++) {
                if (round >= MIN_OBSERVATIONS) {
                    next += 1_000_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                for (int k = 0; k < keys; k++) {
                    double[] s = series.get(k % series.size());
                    int offset = (k / series.size()) * 397;
                    producer.send(new ProducerRecord<>(topic, key(k), Double.toString(s[(offset + round) % s.length])));
                    produced.incrementAndGet();
                }
                if (round == MIN_OBSERVATIONS - 1) {
                    producer.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String key(int k) {
        return fmt("new-%05d", k);
    }

    /** Reads the forecasts until every key has been forecast by a model. */
    private static void watch(String bootstrap, String topic, String group, int keys, long start, double[] eligible,
                              double[] modelled, ServiceProcess service) throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-watch");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ObjectMapper json = new ObjectMapper();
        int[] forecasts = new int[keys];
        int withModel = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long lastReport = System.nanoTime();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (withModel < keys) {
                if (System.nanoTime() > deadline || !service.isAlive()) {
                    throw new IOException(withModel + " of " + keys + " keys had a model when the run stopped; see " + service.log());
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    int k = Integer.parseInt(r.key().substring(4));
                    double at = (System.nanoTime() - start) / 1e9;
                    JsonNode f = json.readTree(r.value());
                    if (++forecasts[k] == forecastsAtEligibility(f.get("nSteps").asInt())) {
                        eligible[k] = at;
                    }
                    // served by a model, or naive because the key's model is in fallback: it has a model either way
                    boolean hasModel = f.get("modelVersion").asLong() > 0 || f.has("fallback");
                    if (Double.isNaN(modelled[k]) && hasModel) {
                        modelled[k] = at;
                        withModel++;
                    }
                }
                if (System.nanoTime() - lastReport > 30_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.println(fmt("  %.0f s: %d of %d keys have a model", (lastReport - start) / 1e9, withModel, keys));
                }
            }
        }
    }

    private static final Pattern METER = Pattern.compile("^forecaster_training_duration_seconds_(sum|count)(?:\\{[^}]*\\})? ([0-9.eE+-]+)$",
            Pattern.MULTILINE);

    /** The service's own {@code forecaster.training.duration}: total seconds and count. */
    private static double[] trainingSeconds(ServiceProcess service) {
        double[] out = new double[2];
        Matcher m = METER.matcher(service.get("/q/metrics").body());
        while (m.find()) {
            out[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(2));
        }
        return out;
    }

    /** Each shared series long enough; a generated one when the data is absent. */
    private static List<double[]> series(Path data) throws IOException {
        List<double[]> out = new ArrayList<>();
        if (data != null) {
            try (Stream<Path> files = Files.list(data)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".csv")).sorted().toList()) {
                    double[] v = CsvSeries.read(f, null).values();
                    if (v.length >= 1000) {
                        out.add(v);
                    }
                }
            }
        }
        if (out.isEmpty()) {
            SeriesGenerator g = new SeriesGenerator(12, 5);
            for (int k = 0; k < g.keys(); k++) {
                double[] v = new double[5000];
                for (int i = 0; i < v.length; i++) {
                    v[i] = g.next(k);
                }
                out.add(v);
            }
        }
        return out;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
