package io.streamforecaster.tools;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Scaler;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.stream.Stores;
import io.streamforecaster.stream.TopologyProducer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * {@code forecaster benchmark throughput}: end to end on one real broker, in one run: a pass-through
 * Kafka Streams app (the baseline), the service's topology with a vanilla model for every key and
 * training kept off, and the same with the trainer kept busy by the default settings.
 */
public final class ThroughputBenchmark {

    static final String USAGE = """
            Usage: forecaster benchmark throughput [--keys N] [--events N] [--partitions P] [--scope per-key|shared] [--without-training]

              --keys N        series (default 10000)
              --events N      observations in all (default 1000000)
              --partitions P  input partitions (default 2)
              --scope S       per-key (default): a model per key; shared: one model per input partition
              --without-training  skip the run with the trainer busy (quicker, for profiling the hot path)
              --warm-up N     events each app first processes under another application id, uncounted,
                              so that the measured runs are not the JIT's warm-up (default: all the events; 0: none)
              --rounds R      pass-through and service (no training) measured R times, alternately; the
                              medians are reported, as one short run of either swings on a shared machine (default 3)
              --memory-budget SIZE  the service's forecaster.memory.budget (e.g. 400M; default: unlimited, every key
                              kept in memory): with fewer keys in memory than in the stream, the rest are read back
                              from RocksDB on their next event
            """;

    static final String INPUT = "bench-input";

    public static void main(String[] argv) {
        Args.run(USAGE, argv, ThroughputBenchmark::run);
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--keys", "--events", "--partitions", "--scope", "--warm-up", "--rounds", "--memory-budget"), Set.of("--without-training"));
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        int keys = a.integer("--keys", 10_000, 1);
        int events = a.integer("--events", 1_000_000, 1);
        int partitions = a.integer("--partitions", 2, 1);
        int warmUp = Math.min(events, a.integer("--warm-up", events, 0));
        int rounds = a.integer("--rounds", 3, 1);
        String scopeName = a.get("--scope", "per-key");
        if (!scopeName.equals("per-key") && !scopeName.equals("shared")) {
            throw new Args.UsageException("--scope takes per-key or shared, got '" + scopeName + "'");
        }
        boolean shared = scopeName.equals("shared");
        budgetBytes = a.has("--memory-budget")
                ? new io.quarkus.runtime.configuration.MemorySizeConverter().convert(a.get("--memory-budget", "")).asLongValue()
                : Long.MAX_VALUE;
        Properties streamsDefaults = serviceStreamsConfig();
        System.out.printf("machine: %d cores, max heap %d MiB, %s %s; date %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"), Instant.now());
        System.out.printf("service Kafka Streams settings: %s%n", streamsDefaults);

        try (LocalKafka kafka = LocalKafka.start(null)) {
            kafka.createTopics(Map.of(INPUT, partitions));
            long t0 = System.nanoTime();
            produceInput(kafka.bootstrapServers(), keys, events);
            System.out.printf("produced %d events over %d keys in %.1f s%n", events, keys, (System.nanoTime() - t0) / 1e9);

            StreamSettings noTraining = settings(Map.of("forecaster.training.min-new-observations", "1000000000",
                    "forecaster.model.scope", scopeName));
            StreamSettings defaults = settings(Map.of("forecaster.model.scope", scopeName));
            // Trainer busy: the installed models are fresh, so with the service's defaults (retraining by
            // need) no key would be due during the run; with a 1 s interval every key is due once it has
            // min-new-observations new values, which keeps the training thread busy throughout.
            StreamSettings busy = settings(Map.of("forecaster.model.scope", scopeName,
                    "forecaster.training.interval", "1s", "forecaster.training.max-interval", "1s"));
            ModelSnapshot template = shared ? trainSharedTemplate(defaults) : trainTemplate(defaults);
            byte[] sample = ModelFormat.encode(template);
            List<String> apps = new java.util.ArrayList<>();
            if (!a.has("--without-training")) {
                apps.add("bench-training");
                apps.add("bench-models-after");
            }
            if (warmUp > 0) {
                apps.add("bench-warm-up");
            }
            for (int r = 0; r < rounds; r++) {
                apps.add("bench-models-" + r);
            }
            for (String app : apps) {
                fillStores(kafka, app, partitions, keys, template, defaults);
            }
            if (warmUp > 0) { // the same code on the same input, uncounted: what JMH's warm-up iterations do
                System.out.printf("warm-up: each app processes %d events under another application id first%n", warmUp);
                runPassThrough(kafka.bootstrapServers(), "bench-passthrough-warm-up", streamsDefaults, warmUp);
                runService(kafka.bootstrapServers(), "bench-warm-up", streamsDefaults, noTraining, warmUp, false);
            }

            double[] passRates = new double[rounds];
            double[] serviceRates = new double[rounds];
            double[] passToClose = new double[rounds];
            double[] serviceToClose = new double[rounds];
            double[] ratios = new double[rounds];
            Run models = null;
            for (int r = 0; r < rounds; r++) {
                Run pass = runPassThrough(kafka.bootstrapServers(), "bench-passthrough-" + r, streamsDefaults, events);
                passRates[r] = pass.rate();
                passToClose[r] = pass.rateToClose();
                Run run = runService(kafka.bootstrapServers(), "bench-models-" + r, streamsDefaults, noTraining, events, r == 0);
                serviceToClose[r] = run.rateToClose();
                models = r == 0 ? run : models; // its heap figure and notes
                serviceRates[r] = run.rate();
                ratios[r] = serviceRates[r] / passRates[r];
                System.out.printf(Locale.ROOT, "round %d: ratio %.3f%n", r + 1, ratios[r]);
            }
            double passThrough = median(passRates);
            double service = median(serviceRates);
            Run training = a.has("--without-training") ? null
                    : runService(kafka.bootstrapServers(), "bench-training", streamsDefaults, busy, events, false);
            // the rounds speed up as the JVM warms: the trainer-busy run (made after them) is compared
            // with the no-training runs next to it, the last round and one more right after it
            Run after = training == null ? null
                    : runService(kafka.bootstrapServers(), "bench-models-after", streamsDefaults, noTraining, events, false);

            SeriesState full = new SeriesState(1, defaults.historySize());
            for (int i = 0; i < defaults.historySize(); i++) {
                full.history().append(new double[] {i}, i);
            }
            System.out.println();
            System.out.println("| run | events/s | ratio | notes |");
            System.out.println("|---|---:|---:|---|");
            System.out.printf(Locale.ROOT, "| pass-through (consume -> produce, no state), median of %d | %.0f | 1.00 | baseline; rounds %s |%n",
                    rounds, passThrough, join(passRates, "%.0f"));
            String what = shared ? "a shared vanilla model per partition" : "every key with a vanilla model";
            System.out.printf(Locale.ROOT, "| service, %s, no training, median of %d | %.0f | %.2f (median of the rounds' ratios %s) | rounds %s; %s |%n",
                    what, rounds, service, median(ratios), join(ratios, "%.2f"), join(serviceRates, "%.0f"), models.notes());
            System.out.printf(Locale.ROOT, "| the same to each run's close (a commit: the service writes every changed state), median of %d | %.0f | %.2f (against the pass-through to its close, %.0f) | service rounds %s; pass-through %s |%n",
                    rounds, median(serviceToClose), median(serviceToClose) / median(passToClose), median(passToClose),
                    join(serviceToClose, "%.0f"), join(passToClose, "%.0f"));
            if (training != null) {
                double adjacent = (serviceRates[rounds - 1] + after.rate()) / 2;
                System.out.printf(Locale.ROOT, "| service, no training, right after the trainer-busy run | %.0f | %.2f | the mean of it and the last round, %.0f, is the trainer-busy run's reference |%n",
                        after.rate(), after.rate() / passThrough, adjacent);
                System.out.printf(Locale.ROOT, "| service (%s), trainer busy (every key due after min-new-observations) | %.0f | %.2f (**%.2f** of the no-training runs next to it; %.2f of the rounds' median) | %s |%n",
                        scopeName, training.rate(), training.rate() / passThrough, training.rate() / adjacent, training.rate() / service, training.notes());
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "state per key: history of %d = %d bytes, vanilla model (n-steps %d, %d units) = %d bytes, total %d bytes%n",
                    defaults.historySize(), full.toBytes().length, defaults.nSteps(), template.units(), sample.length,
                    full.toBytes().length + sample.length);
            System.out.printf(Locale.ROOT, "heap in use with %d keys (after GC, service minus what was there before): %.1f MiB%n",
                    keys, models.heapBytes() / 1048576.0);
        }
    }

    /**
     * @param rate events a second from the first event counted to the last
     * @param rateToClose the same events over that time plus Kafka Streams' close, which commits:
     *                    the service's write-back store writes every changed state then, work a round
     *                    shorter than the commit interval would otherwise leave out
     */
    record Run(double rate, double rateToClose, long heapBytes, String notes) {
    }

    /** What {@link #time} measured. */
    record Timing(double rate, double rateToClose) {
    }

    /** The service's memory budget for decoded states and models in this run. */
    static long budgetBytes = Long.MAX_VALUE;

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String join(double[] values, String format) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, v));
        }
        return s.toString();
    }

    static Properties serviceStreamsConfig() throws Exception {
        Properties app = new Properties();
        try (InputStream in = ThroughputBenchmark.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        Properties out = new Properties();
        for (String name : app.stringPropertyNames()) {
            String value = app.getProperty(name);
            if (name.startsWith("kafka-streams.") && !value.contains("${") && !name.contains("exception.handler")) {
                out.put(name.substring("kafka-streams.".length()), value);
            }
        }
        return out;
    }

    static StreamSettings settings(Map<String, String> overrides) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("forecaster.topics.input", INPUT,
                "forecaster.topics.output", "bench-predictions", "forecaster.topics.dead-letter", "bench-dlq"));
        all.putAll(overrides);
        return ServiceDefaults.settings(all);
    }

    static double value(int key, long i) {
        double level = 20 + (key % 97);
        return Math.round((level + 5 * Math.sin(2 * Math.PI * (i + key) / 48.0) + ((i * 7919 + key) % 13) * 0.1) * 1000) / 1000.0;
    }

    static void produceInput(String bootstrap, int keys, int events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < events; i++) {
                int k = i % keys;
                producer.send(new ProducerRecord<>(INPUT, key(k), Double.toString(value(k, i / keys))));
            }
        }
    }

    static String key(int k) {
        return String.format("key-%05d", k);
    }

    static ModelSnapshot trainTemplate(StreamSettings s) {
        double[][] history = new double[s.historySize()][];
        for (int i = 0; i < history.length; i++) {
            history[i] = new double[] {value(3, i)};
        }
        long start = System.nanoTime();
        ModelSnapshot m = Trainer.train(s.training(), history, null, history.length, System.currentTimeMillis());
        System.out.printf("one model trained with the default settings in %.2f s%n", (System.nanoTime() - start) / 1e9);
        return m;
    }

    /** A shared model trained as a partition's would be, on the histories of 256 keys. */
    static ModelSnapshot trainSharedTemplate(StreamSettings s) {
        List<double[][]> histories = new java.util.ArrayList<>();
        for (int k = 0; k < s.sharedKeys(); k++) {
            double[][] history = new double[s.historySize()][];
            for (int i = 0; i < history.length; i++) {
                history[i] = new double[] {value(k, i)};
            }
            histories.add(history);
        }
        long start = System.nanoTime();
        ModelSnapshot m = Trainer.trainShared(s.training(), histories, null, (long) s.historySize() * histories.size(),
                System.currentTimeMillis());
        System.out.printf("one shared model trained with the default settings on %d keys in %.2f s%n", histories.size(),
                (System.nanoTime() - start) / 1e9);
        return m;
    }

    /**
     * Writes a full history and a model for every key into the stores' changelogs, which Kafka
     * Streams restores on start: a service that has run for a while. Each model was trained 64
     * observations ago and an hour ago, so under the default settings every key is due for a retrain.
     */
    static void fillStores(LocalKafka kafka, String app, int partitions, int keys, ModelSnapshot template, StreamSettings s)
            throws Exception {
        String changelog = app + "-" + Stores.MODELS + "-changelog";
        String seriesChangelog = app + "-" + Stores.SERIES + "-changelog";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(
                    new NewTopic(changelog, partitions, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(seriesChangelog, partitions, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        long installed = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int k = 0; k < keys; k++) {
                double level = 20 + (k % 97);
                SeriesState history = new SeriesState(1, s.historySize());
                for (int i = -s.historySize(); i < 0; i++) {
                    history.history().append(new double[] {value(k, i)}, installed);
                }
                ModelSnapshot m = new ModelSnapshot(template.variant(), template.nSteps(), template.nFeatures(), template.units(),
                        new Scaler(new double[] {level}, new double[] {3.6}), template.lstms(), template.dense(),
                        1, installed, template.trainingLoss(), history.history().observations() - s.minNewObservations());
                if (!template.scaler().perWindow()) {
                    producer.send(new ProducerRecord<>(changelog, key(k), ModelFormat.encode(m)));
                }
                producer.send(new ProducerRecord<>(seriesChangelog, key(k), history.toBytes()));
            }
            if (template.scaler().perWindow()) { // one shared model in each partition's store, trained an hour ago
                ModelSnapshot m = new ModelSnapshot(template.variant(), template.nSteps(), template.nFeatures(), template.units(),
                        template.scaler(), template.lstms(), template.dense(), 1, installed, template.trainingLoss(), 0);
                for (int partition = 0; partition < partitions; partition++) {
                    producer.send(new ProducerRecord<>(changelog, partition, Stores.SHARED_MODEL_KEY, ModelFormat.encode(m)));
                }
            }
        }
    }

    static Properties streamsProps(String bootstrap, String app, Properties base) throws Exception {
        Properties props = new Properties();
        props.putAll(base);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-" + app).toString());
        props.put("consumer.auto.offset.reset", "earliest");
        return props;
    }

    static Run runPassThrough(String bootstrap, String app, Properties base, int events) throws Exception {
        AtomicLong seen = new AtomicLong();
        Topology t = new Topology()
                .addSource("in", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), INPUT)
                .addProcessor("count", () -> new ContextualProcessor<byte[], byte[], byte[], byte[]>() {
                    @Override
                    public void process(Record<byte[], byte[]> record) {
                        seen.incrementAndGet();
                        context().forward(record);
                    }
                }, "in")
                .addSink("out", app + "-out", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "count");
        try (KafkaStreams streams = new KafkaStreams(t, streamsProps(bootstrap, app, base))) {
            Timing timing = time(streams, seen::get, events, app, () -> { });
            return new Run(timing.rate(), timing.rateToClose(), 0, "");
        }
    }

    static Run runService(String bootstrap, String app, Properties base, StreamSettings s, int events, boolean measureHeap)
            throws Exception {
        long heapBefore = measureHeap ? usedHeap() : 0;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        var trainingConfig = ServiceDefaults.config(Map.of()).training(); // the service's queue and priority
        try (TrainingPool pool = TrainingPool.create(s.training(), trainingConfig.threads(), trainingConfig.queueCapacity(), trainingConfig.nice())) {
            ForecasterMetrics metrics = new ForecasterMetrics(registry, pool::pending);
            Properties props = streamsProps(bootstrap, app, base);
            var budget = new io.streamforecaster.stream.MemoryBudget(budgetBytes);
            try (KafkaStreams streams = new KafkaStreams(TopologyProducer.build(s, metrics, pool, budget), props)) {
                long[] heapAtEnd = new long[1];
                String[] notes = new String[1];
                Timing timing = time(streams, () -> (long) registry.get("forecaster.events").counter().count(), events, app, () -> {
                    // at the last event, before the close lets the states go (and gives the budget back)
                    notes[0] = notes(registry, pool, metrics, budget);
                    heapAtEnd[0] = measureHeap ? usedHeap() : 0;
                });
                long heap = measureHeap ? heapAtEnd[0] - heapBefore : 0;
                return new Run(timing.rate(), timing.rateToClose(), heap, notes[0]);
            }
        }
    }

    /** What a service run did, read at its last event. */
    private static String notes(SimpleMeterRegistry registry, TrainingPool pool, ForecasterMetrics metrics,
                                io.streamforecaster.stream.MemoryBudget budget) {
        double lstm = registry.get("forecaster.predictions").tag("source", "lstm").counter().count();
        double naive = registry.get("forecaster.predictions").tag("source", "naive").counter().count();
        double trained = registry.find("forecaster.training.runs").counters().stream().mapToDouble(c -> c.count()).sum();
        double promoted = registry.get("forecaster.training.runs").tag("outcome", "success").counter().count();
        return String.format(Locale.ROOT,
                "%.0f lstm + %.0f naive forecasts; %.0f trainings meanwhile (%.0f models promoted), %.0f training jobs waiting or running at the end; "
                        + "longest training hand-off on a stream thread %.2f ms (%d hand-offs); memory budget %s, in use at the end %.1f MiB, "
                        + "%d keys written out and dropped to stay within it",
                lstm, naive, trained, promoted, (double) pool.pending(), metrics.longestHandoffMillis(),
                registry.get("forecaster.training.handoff").timer().count(),
                budget.limit() == Long.MAX_VALUE ? "unlimited" : (budget.limit() >> 20) + " MiB", budget.used() / 1048576.0,
                budget.evictions());
    }

    /**
     * Events per second from the first event seen to the last, polled every few milliseconds; and
     * over that time plus the close (a commit), which {@code atEnd} runs just before, untimed.
     */
    static Timing time(KafkaStreams streams, LongSupplier seen, int events, String name, Runnable atEnd) throws InterruptedException {
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println(name + ": stream thread failed: " + e);
            e.printStackTrace();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (seen.getAsLong() == 0) {
            check(deadline, name, streams);
            Thread.sleep(1);
        }
        long start = System.nanoTime();
        long first = seen.getAsLong();
        while (seen.getAsLong() < events) {
            check(deadline, name, streams);
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (events - first) / seconds;
        atEnd.run();
        long closing = System.nanoTime();
        streams.close();
        double closeSeconds = (System.nanoTime() - closing) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d events in %.2f s = %.0f events/s; closed (committed) in %.2f s more: %.0f events/s%n",
                name, events - first, seconds, rate, closeSeconds, (events - first) / (seconds + closeSeconds));
        return new Timing(rate, (events - first) / (seconds + closeSeconds));
    }

    static void check(long deadline, String name, KafkaStreams streams) {
        if (!streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
            throw new IllegalStateException(name + ": Kafka Streams is " + streams.state());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(name + " did not finish in 15 minutes");
        }
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
