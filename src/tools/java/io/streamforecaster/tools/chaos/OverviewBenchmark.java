package io.streamforecaster.tools.chaos;

import io.streamforecaster.tools.Args;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * What one listing of the overview ({@code GET /series}, which an open operator page asks every 5
 * s, and each instance's {@code scope=local} listing for the others) costs an instance with many
 * keys: the packaged service on a real broker, its keys restored from changelogs with a full
 * history and a model each ({@link Prefill}), listed first as restored (every key only in the
 * store on disk) and then once every key has had an event (every key in memory). Reports the
 * answer's latency and the service's CPU for it, above its idle CPU measured just before.
 */
public final class OverviewBenchmark {

    static final String USAGE = """
            Usage: forecaster benchmark overview [--keys N] [--partitions P] [--rounds R] [--dir DIR]

            The cost of one overview listing (GET /series) on the packaged service with N keys (full
            histories and a model each, restored from changelogs), as restored and then with every key
            in memory.

              --keys N        keys (default 10000)
              --partitions P  input partitions (default 4)
              --rounds R      listings timed in each phase (default 8)
              --dir DIR       where the broker and the service keep their data (default target/overview-bench)

            With CHAOS_SERVICE_JAVA_OPTS=-XX:StartFlightRecording the service's flight recording is
            written to DIR/forecaster-0.jfr after the listings.
            """;

    /** Longer than the instance's own listing is kept at least (SeriesOverview.LOCAL_CACHE_MILLIS). */
    static final Duration GAP = Duration.ofMillis(2500);
    /** Longer than it is kept at most (SeriesOverview.MAX_REUSE_MILLIS). */
    static final Duration FIRST_GAP = Duration.ofSeconds(31);

    public static void main(String[] argv) {
        Args.run(USAGE, argv, OverviewBenchmark::run);
    }

    /** One timed listing: its latency and the CPU the service spent above its idle rate. */
    record Listing(double millis, double cpuMillis, int status) {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--keys", "--partitions", "--rounds", "--dir"), Set.of());
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        int keys = a.integer("--keys", 10_000, 1);
        int partitions = a.integer("--partitions", 4, 1);
        int rounds = a.integer("--rounds", 8, 1);
        Path dir = Path.of(a.get("--dir", "target/overview-bench"));
        System.out.printf("overview benchmark: %d keys, %d partitions, %d rounds, %s, %d cores%n", keys, partitions, rounds,
                Instant.now(), Runtime.getRuntime().availableProcessors());
        try (Lab lab = Lab.start(dir, 1, Map.of(), System.out)) {
            String run = "ov";
            Lab.Topics topics = lab.topics(run, partitions);
            Map<String, String> settings = lab.serviceSettings(run, topics);
            long t0 = System.currentTimeMillis();
            lab.say("writing %d keys' histories and models into the changelogs", keys);
            Prefill.write(lab.kafka(), run, partitions, keys, settings, 1, t0);
            try (Fleet fleet = lab.fleet(run, settings)) {
                Fleet.Instance service = fleet.add("forecaster-0", Map.of(), Map.of()).start();
                Awaitility.await().alias("every key listed").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> service.get("/series?limit=1").body().contains("\"total\":" + keys + ","));
                List<Listing> restored = time(service, rounds);
                lab.say("one event for each key, so that every key is in memory");
                send(lab, topics.input(), keys, t0);
                Awaitility.await().alias("every event processed").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> service.metric("forecaster_events_total", null) >= keys);
                List<Listing> live = time(service, rounds);
                PageOpen pageOpen = pageOpen(service, PAGE_OPEN);
                double memory = service.metric("forecaster_memory_used_bytes", null);
                String recording = service.dumpFlightRecording(dir.resolve("forecaster-0.jfr")); // with CHAOS_SERVICE_JAVA_OPTS=-XX:StartFlightRecording
                if (!recording.isEmpty()) {
                    lab.say("%s", recording);
                }
                System.out.println();
                System.out.printf("| keys | phase | listing latency, median (max) | service CPU per listing above idle, median (max) |%n");
                System.out.printf("|---:|---|---:|---:|%n");
                row(keys, "as restored (keys on disk only)", restored);
                row(keys, "every key in memory", live);
                System.out.printf("%nA page open for %.0f s (GET /series every %d s, every key in memory): %.2f core-s of the service above idle, %.0f %% of a core%n",
                        pageOpen.seconds(), PAGE_POLL.toSeconds(), pageOpen.cpuSeconds(), 100 * pageOpen.cpuSeconds() / pageOpen.seconds());
                System.out.printf("%nstate memory in use after: %.0f MB; service log: %s%n", memory / 1e6, service.log());
            }
        }
    }

    private static void send(Lab lab, String topic, int keys, long t0) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, lab.kafka().bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int k = 0; k < keys; k++) {
                producer.send(new ProducerRecord<>(topic, null, t0, Workload.key(k),
                        Double.toString(Workload.value(k, 0)).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static List<Listing> time(Fleet.Instance service, int rounds) throws InterruptedException {
        List<Listing> out = new ArrayList<>();
        // the first request after the longest an instance keeps a listing (SeriesOverview.MAX_REUSE_MILLIS, 30 s),
        // so that it lists; each next one after ten times the slowest so far (REUSE_FACTOR), and a margin
        long gap = FIRST_GAP.toMillis();
        double slowest = 0;
        for (int r = 0; r < rounds; r++) {
            double idleFrom = service.cpuSeconds();
            long idleStart = System.nanoTime();
            Thread.sleep(gap); // a quiet window, and past the time the instance keeps its last listing
            double idleRate = (service.cpuSeconds() - idleFrom) / ((System.nanoTime() - idleStart) / 1e9);
            double before = service.cpuSeconds();
            long start = System.nanoTime();
            int status = service.get("/series?limit=50").status();
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = service.cpuSeconds() - before - idleRate * seconds;
            out.add(new Listing(seconds * 1000, Math.max(0, cpu) * 1000, status));
            slowest = Math.max(slowest, seconds);
            gap = Math.min(FIRST_GAP.toMillis(), Math.max(GAP.toMillis(), (long) (11_000 * slowest) + 500));
            if (status != 200) {
                throw new IllegalStateException("GET /series answered " + status);
            }
        }
        return out;
    }

    /** How long the page-open phase lasts, and how often an open page asks (page.js' OVERVIEW_EVERY_MS). */
    static final Duration PAGE_OPEN = Duration.ofSeconds(60);
    static final Duration PAGE_POLL = Duration.ofSeconds(5);
    /** How long the idle rate subtracted from the page-open phase is measured over. */
    static final Duration IDLE = Duration.ofSeconds(15);

    /** The service's CPU (core-seconds) above its idle rate while a page asks for the overview every {@link #PAGE_POLL}. */
    private static PageOpen pageOpen(Fleet.Instance service, Duration span) throws InterruptedException {
        double idleFrom = service.cpuSeconds();
        long idleStart = System.nanoTime();
        Thread.sleep(IDLE.toMillis());
        double idleRate = (service.cpuSeconds() - idleFrom) / ((System.nanoTime() - idleStart) / 1e9);
        double before = service.cpuSeconds();
        long start = System.nanoTime();
        for (long next = start; next - start < span.toNanos(); next += PAGE_POLL.toNanos()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            if (service.get("/series?limit=50").status() != 200) {
                throw new IllegalStateException("GET /series failed");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new PageOpen(service.cpuSeconds() - before - idleRate * seconds, seconds);
    }

    /** The service's CPU above idle over a span with a page open, and the span. */
    record PageOpen(double cpuSeconds, double seconds) {
    }

    private static void row(int keys, String phase, List<Listing> listings) {
        List<Double> ms = new ArrayList<>(listings.stream().map(Listing::millis).toList());
        List<Double> cpu = new ArrayList<>(listings.stream().map(Listing::cpuMillis).toList());
        Collections.sort(ms);
        Collections.sort(cpu);
        System.out.printf("| %,d | %s | %.0f ms (%.0f) | %.0f ms (%.0f) |%n", keys, phase, ms.get(ms.size() / 2), ms.get(ms.size() - 1),
                cpu.get(cpu.size() / 2), cpu.get(cpu.size() - 1));
    }
}
