package io.streamforecaster.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code forecaster demo}: a real local Kafka broker, the packaged service, a replay of demo data,
 * and a live table of what comes out. Ctrl-C stops all of it.
 */
public final class Demo {

    static final String USAGE = """
            Usage: forecaster demo [--keys N] [--rate PER_SECOND] [--csv FILE [--column NAME]]
                                   [--variant vanilla|stacked|bidirectional] [--http-port PORT]
                                   [--management-port PORT] [--duration SECONDS]

            Starts a single-node Kafka broker (KRaft), the service and a replay, and shows forecasts live.
              --keys N          generated series (default 6)
              --rate R          events per second in all (default 60)
              --csv FILE        replay this CSV file (NAB or jbrownlee format) instead of generated data
              --column NAME     the CSV column (default: the last)
              --variant V       LSTM variant (default vanilla)
              --http-port PORT  the service's HTTP port, /series (default 8080)
              --management-port PORT  its health and metrics port, /q/health, /q/metrics (default 9000)
              --duration S      stop by itself after S seconds (default: run until Ctrl-C)
            """;

    static final String INPUT = "forecaster-input";
    static final String OUTPUT = "forecaster-predictions";
    static final String DLQ = "forecaster-dlq";

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong forecasts = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Ctrl-C's hook waits for this, so the service and the broker are stopped before the JVM exits. */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private final ObjectMapper json = new ObjectMapper();

    private Demo() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, args -> new Demo().run(args));
    }

    static final class Row {
        volatile double actual = Double.NaN;
        volatile double forecast = Double.NaN;
        volatile String source = "";
        volatile String interval = "";
        volatile long version;
        volatile String onlineMae = "";
        volatile String naiveMae = "";
        final AtomicLong events = new AtomicLong();
    }

    void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--keys", "--rate", "--csv", "--column", "--variant", "--http-port", "--management-port", "--duration"), Set.of());
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        int keys = a.integer("--keys", 6, 1);
        double rate = a.number("--rate", 60, 0.1);
        String variant = a.get("--variant", "vanilla");
        io.streamforecaster.model.Variant.parse(variant);
        int port = a.integer("--http-port", 8080, 1);
        int managementPort = a.integer("--management-port", 9000, 1);
        int duration = a.integer("--duration", 0, 0);
        CsvSeries csv = a.has("--csv") ? CsvSeries.read(Path.of(a.get("--csv", "")), a.get("--column", null)) : null;

        Path home = Path.of(".state", "demo");
        deleteRecursively(home);
        Files.createDirectories(home);
        PrintStream out = System.out;
        out.println("Starting a local Kafka broker (KRaft, single node)...");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(90, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try (LocalKafka kafka = LocalKafka.start(home.resolve("kafka"))) {
            kafka.createTopics(Map.of(INPUT, 2, OUTPUT, 2, DLQ, 1));
            out.println("Broker at " + kafka.bootstrapServers() + "; starting the service (log: " + home.resolve("service.log") + ")...");
            ServiceProcess service = ServiceProcess.start(Map.of(
                    "quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers(),
                    "kafka-streams.state.dir", home.resolve("streams").toAbsolutePath().toString(),
                    "forecaster.model.variant", variant,
                    "forecaster.training.min-observations", "96",
                    "forecaster.training.min-new-observations", "48",
                    "forecaster.training.interval", "20s",
                    "FORECASTER_HOST", "localhost",
                    ServiceProcess.MANAGEMENT_PORT, Integer.toString(managementPort)), port, home.resolve("service.log"), List.of("-Xmx1g"));
            try (service) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!service.isReady()) {
                    if (!service.isAlive() || System.nanoTime() > deadline || stop.get()) {
                        throw new IOException("the service did not become ready; see " + service.log());
                    }
                    Thread.sleep(250); // a tool waiting for a child process, not a test
                }
                Thread replay = new Thread(() -> replay(kafka.bootstrapServers(), keys, rate, csv), "demo-replay");
                Thread consume = new Thread(() -> consume(kafka.bootstrapServers()), "demo-consumer");
                Thread models = new Thread(() -> pollModels(service), "demo-models");
                for (Thread t : List.of(replay, consume, models)) {
                    t.setDaemon(true);
                    t.start();
                }
                long end = duration > 0 ? System.nanoTime() + duration * 1_000_000_000L : Long.MAX_VALUE;
                while (!stop.get() && System.nanoTime() < end && service.isAlive()) {
                    render(out, kafka.bootstrapServers(), port, managementPort);
                    Thread.sleep(1000);
                }
                stop.set(true);
                render(out, kafka.bootstrapServers(), port, managementPort);
                out.println(service.isAlive() ? "Stopping the service and the broker..." : "The service stopped; see " + service.log());
            }
        } finally {
            out.println("Stopped.");
            stopped.countDown();
        }
    }

    private void replay(String bootstrap, int keys, double rate, CsvSeries csv) {
        try (Producer<String, String> producer = Replay.producer(bootstrap)) {
            Replay.Source source;
            if (csv != null) {
                source = i -> {
                    String v = Replay.format(csv.values()[(int) (i % csv.values().length)]);
                    return new String[] {csv.name(), v};
                };
            } else {
                SeriesGenerator g = new SeriesGenerator(keys, 1);
                source = i -> {
                    int k = (int) (i % g.keys());
                    return new String[] {g.key(k), Replay.format(g.next(k))};
                };
            }
            Replay.send(producer, INPUT, i -> {
                String[] e = source.event(i);
                Row row = rows.computeIfAbsent(e[0], k -> new Row());
                row.actual = Double.parseDouble(e[1]);
                row.events.incrementAndGet();
                sent.incrementAndGet();
                return e;
            }, Long.MAX_VALUE, rate, stop);
        }
    }

    private void consume(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "forecaster-demo-view");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(OUTPUT));
            while (!stop.get()) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode f = json.readTree(r.value());
                    Row row = rows.computeIfAbsent(r.key(), k -> new Row());
                    row.forecast = f.get("forecast").asDouble();
                    row.source = f.has("fallback") ? "fallback" : f.has("damped") ? "damped" : f.get("source").asText();
                    row.interval = f.has("lower")
                            ? String.format("[%.2f, %.2f]", f.get("lower").asDouble(), f.get("upper").asDouble()) : "";
                    row.version = f.get("modelVersion").asLong();
                    forecasts.incrementAndGet();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stop.get()) {
                System.err.println("demo consumer stopped: " + e);
            }
        }
    }

    private void pollModels(ServiceProcess service) {
        while (!stop.get()) {
            for (var e : rows.entrySet()) {
                var r = service.get("/series/" + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8).replace("+", "%20") + "/model");
                if (r.status() == 200) {
                    try {
                        JsonNode m = json.readTree(r.body());
                        e.getValue().onlineMae = number(m.get("onlineMae"));
                        e.getValue().naiveMae = number(m.get("naiveMae"));
                    } catch (IOException ignored) {
                        // shown as before; the next poll tries again
                    }
                }
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    private static String number(JsonNode n) {
        return n == null || n.isNull() ? "" : String.format("%.3f", n.asDouble());
    }

    private void render(PrintStream out, String bootstrap, int port, int managementPort) {
        StringBuilder s = new StringBuilder();
        if (System.console() != null) {
            s.append("\033[H\033[2J");
        }
        s.append(String.format("stream-forecaster demo   broker %s   metrics http://localhost:%d/q/metrics   Ctrl-C stops%n", bootstrap, managementPort));
        s.append(String.format("events sent %d   forecasts received %d   try: curl http://localhost:%d/series/<key>/model%n%n",
                sent.get(), forecasts.get(), port));
        s.append(String.format("operator page: http://localhost:%d/   every key, its forecasts against its actuals, its model"
                + " (Grafana, in docker compose, stays for fleet metrics)%n%n", port));
        s.append(String.format("%-22s %8s %12s %12s %-24s %8s %7s %11s %11s%n",
                "series", "events", "actual", "forecast", "90% interval", "source", "model", "online MAE", "naive MAE"));
        new TreeMap<>(rows).forEach((key, r) -> s.append(String.format("%-22s %8d %12.3f %12.3f %-24s %8s %7s %11s %11s%n",
                key, r.events.get(), r.actual, r.forecast, r.interval, r.source, r.version == 0 ? "-" : "v" + r.version,
                r.onlineMae, r.naiveMae)));
        s.append(String.format("%nsource: lstm = the key's model; damped = its forecast change halved; naive = last value"
                + " (no model yet); fallback = naive because the model did worse than naive recently%n"));
        if (System.console() == null) {
            s.append('\n');
        }
        out.print(s);
        out.flush();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
