package io.streamforecaster.tools.chaos;

import io.streamforecaster.tools.CpuTime;
import io.streamforecaster.tools.Jcmd;
import io.streamforecaster.tools.ServiceProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The service instances of one chaos run: the packaged service ({@code target/quarkus-app}) as
 * processes, each with its own HTTP port, state directory and log, which it keeps across restarts
 * (as a StatefulSet's pod keeps its name, address and volume). What the runs count from the
 * service comes from its logs, which survive a {@code kill -9}: stream-thread deaths, and each
 * model installed.
 */
public final class Fleet implements AutoCloseable {

    /**
     * What the service logs when a stream thread dies of an error (its {@code StreamThreadPolicy}):
     * replaced, or the last one before it gives up. Also counted: {@code forecaster_stream_threads_replaced_total},
     * which a {@code kill -9} would reset.
     */
    static final Pattern THREAD_DEATH = Pattern.compile("A stream thread failed|Stream threads keep dying");
    /** What the training scheduler logs, at DEBUG, for each model it installs. */
    static final Pattern INSTALL = Pattern.compile("Key '(.*)' now has model version (\\d+)");
    private static final String SCHEDULER_LEVEL = "quarkus.log.category.\"io.streamforecaster.stream.TrainingScheduler\".level";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Path dir;
    private final Map<String, String> base;
    private final Map<String, Instance> instances = new LinkedHashMap<>();

    /** @param base the settings every instance gets (broker, application id, topics...) */
    public Fleet(Path dir, Map<String, String> base) {
        this.dir = dir;
        this.base = new HashMap<>(base);
        this.base.putIfAbsent(SCHEDULER_LEVEL, "DEBUG");
        this.base.putIfAbsent("quarkus.log.category.\"io.smallrye.health\".level", "WARN");
    }

    /** Declares an instance (not started): its own port, state directory and log under the run's directory. */
    public Instance add(String name, Map<String, String> settings, Map<String, String> environment) throws IOException {
        if (instances.containsKey(name)) {
            throw new IllegalArgumentException("Instance " + name + " exists already");
        }
        Instance i = new Instance(name, BrokerCluster.freePort(), dir.resolve(name).resolve("state"), dir.resolve(name + ".log"),
                settings, environment);
        instances.put(name, i);
        return i;
    }

    public Instance get(String name) {
        Instance i = instances.get(name);
        if (i == null) {
            throw new IllegalArgumentException("No instance " + name);
        }
        return i;
    }

    /** The instances that are up: started, ready, and neither stopped nor killed since. */
    public List<Instance> ready() {
        return instances.values().stream().filter(Instance::ready).toList();
    }

    /** Stream-thread deaths logged by every instance, over all their lives. */
    public long threadDeaths() throws IOException {
        long n = 0;
        for (Instance i : instances.values()) {
            n += count(i.log, THREAD_DEATH);
        }
        return n;
    }

    /** Models installed, by key, by every instance over all their lives (a model lost to a crash and trained again counts twice). */
    public Map<String, Integer> installs() throws IOException {
        Map<String, Integer> byKey = new HashMap<>();
        for (Instance i : instances.values()) {
            if (!Files.exists(i.log)) {
                continue;
            }
            try (BufferedReader r = Files.newBufferedReader(i.log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = INSTALL.matcher(line);
                    if (m.find()) {
                        byKey.merge(m.group(1), 1, Integer::sum);
                    }
                }
            }
        }
        return byKey;
    }

    /** Models installed beyond the first of each key: retrains, where the run's settings train each key once. */
    public long retrainsBeyondFirst() throws IOException {
        return installs().values().stream().mapToLong(n -> n - 1).sum();
    }

    private static long count(Path log, Pattern p) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> p.matcher(l).find()).count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Instance i : instances.values()) {
            i.kill();
        }
    }

    /** One service instance: a name, a port, a state directory and a log that stay the same over its restarts. */
    public final class Instance {
        private final String name;
        private final int port;
        private final Path stateDir;
        private final Path log;
        private final Map<String, String> settings;
        private final Map<String, String> environment;
        private ServiceProcess process;
        private long startedNanos;
        /** Ready since its last start, and neither stopped nor killed since. */
        private volatile boolean ready;

        private Instance(String name, int port, Path stateDir, Path log, Map<String, String> settings, Map<String, String> environment) {
            this.name = name;
            this.port = port;
            this.stateDir = stateDir;
            this.log = log;
            this.settings = settings;
            this.environment = environment;
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public Path stateDir() {
            return stateDir;
        }

        public Path log() {
            return log;
        }

        /** When the current process was started (nanoTime). */
        public long startedNanos() {
            return startedNanos;
        }

        /** Starts the process (it must not be running) without waiting for it. */
        public synchronized Instance launch() throws IOException {
            if (isAlive()) {
                throw new IllegalStateException("Instance " + name + " is running already");
            }
            Files.createDirectories(stateDir);
            Map<String, String> props = new HashMap<>(base);
            props.put("kafka-streams.state.dir", stateDir.toString());
            props.put("quarkus.kafka-streams.application-server", "localhost:" + port);
            props.putAll(settings);
            startedNanos = System.nanoTime();
            ready = false;
            process = ServiceProcess.start(props, environment, port, log, jvmOptions());
            return this;
        }

        /** Starts the process and waits until it is ready (Kafka Streams running). */
        public Instance start() throws IOException {
            launch();
            awaitReady();
            return this;
        }

        public void awaitReady() {
            Awaitility.await().alias(name + " ready (log: " + log + ")").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!isAlive()) {
                            throw new IllegalStateException("service " + name + " exited; see " + log);
                        }
                        return process.isReady();
                    });
            ready = true;
        }

        /** Whether it became ready since it was last started, and was not stopped or killed since. */
        public boolean ready() {
            return ready && isAlive();
        }

        public synchronized boolean isAlive() {
            return process != null && process.isAlive();
        }

        public synchronized long pid() {
            return process == null ? -1 : process.pid();
        }

        /** {@code kill -9}. */
        public synchronized void kill() throws InterruptedException {
            ready = false;
            if (process != null) {
                process.kill();
            }
        }

        /** SIGTERM, as Kubernetes stops a pod; a kill after the grace period. */
        public synchronized void stop() throws InterruptedException {
            ready = false;
            if (process != null) {
                process.close();
            }
        }

        /** The process as last started (it may have ended since), or null; read under the instance's lock. */
        private synchronized ServiceProcess current() {
            return process;
        }

        public ServiceProcess.Response get(String path) {
            ServiceProcess p = current();
            return p == null ? new ServiceProcess.Response(-1, "not started") : p.get(path);
        }

        /** CPU time the running process has used since it started, in seconds; NaN when it is not running. */
        public double cpuSeconds() {
            ServiceProcess p = current();
            return p == null || !p.isAlive() ? Double.NaN : p.cpuSeconds();
        }

        /** CPU seconds of the running process's live threads by kind ({@link CpuTime#byThreadKind}); empty when it is not running. */
        public Map<String, Double> cpuByThreadKind() {
            ServiceProcess p = current();
            return p == null || !p.isAlive() ? Map.of() : CpuTime.byThreadKind(p.pid());
        }

        /**
         * When the service was started with a flight recording ({@code CHAOS_SERVICE_JAVA_OPTS=-XX:StartFlightRecording}),
         * writes what it has recorded so far to {@code file}. What happened, to be said; empty when there was no recording.
         */
        public String dumpFlightRecording(Path file) {
            ServiceProcess p = current();
            if (p == null || !p.isAlive() || jvmOptions().stream().noneMatch(o -> o.startsWith("-XX:StartFlightRecording"))) {
                return "";
            }
            Jcmd.Result dump = Jcmd.run(p.pid(), Duration.ofMinutes(2), "JFR.dump",
                    "filename=" + file.toAbsolutePath());
            return dump.ok() ? "flight recording of " + name + " written to " + file
                    : "could not write the flight recording of " + name + ": " + dump.output().strip();
        }

        /** GET with the whole answer (headers too); null when the instance does not answer. */
        public java.net.http.HttpResponse<String> request(String path) {
            ServiceProcess p = current();
            return p == null ? null : p.request(path);
        }

        /** The sum of a metric's samples (all label sets, or those whose labels contain {@code labels}); NaN if absent. */
        public double metric(String name, String labels) {
            var r = get("/q/metrics");
            if (r.status() != 200) {
                return Double.NaN;
            }
            return Metrics.sum(r.body(), name, labels);
        }
    }

    /** Reads samples out of a Prometheus text scrape. */
    public static final class Metrics {
        private Metrics() {
        }

        public static double sum(String scrape, String name, String labels) {
            double sum = 0;
            boolean found = false;
            for (String line : scrape.split("\n")) {
                if (line.startsWith(name) && (line.length() > name.length()) && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')
                        && (labels == null || line.contains(labels))) {
                    String v = line.substring(line.lastIndexOf(' ') + 1);
                    sum += Double.parseDouble(v);
                    found = true;
                }
            }
            return found ? sum : Double.NaN;
        }

        /** Samples of {@code forecaster_*} metrics that are NaN or infinite. */
        public static List<String> nonFinite(String scrape) {
            List<String> out = new ArrayList<>();
            for (String line : scrape.split("\n")) {
                if (line.startsWith("forecaster_")) {
                    String v = line.substring(line.lastIndexOf(' ') + 1);
                    if (v.equals("NaN") || v.contains("Inf")) {
                        out.add(line);
                    }
                }
            }
            return out;
        }
    }

    /**
     * The service processes' JVM flags: a 1 GiB heap with G1, then any of
     * {@code CHAOS_SERVICE_JAVA_OPTS} (later flags win, as with the image's JAVA_OPTS), so that a
     * run can compare a JVM setting, e.g. {@code CHAOS_SERVICE_JAVA_OPTS=-XX:G1HeapRegionSize=4m}.
     */
    static List<String> jvmOptions() {
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC"));
        String extra = System.getenv("CHAOS_SERVICE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return options;
    }
}
