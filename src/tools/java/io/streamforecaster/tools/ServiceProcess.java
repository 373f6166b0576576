package io.streamforecaster.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged service ({@code target/quarkus-app}) run as a child process, as a user runs it. */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Quarkus' management interface (health, metrics): its own port, so that it can be closed to API clients. */
    public static final String MANAGEMENT_PORT = "quarkus.management.port";

    private final Process process;
    private final int httpPort;
    private final int managementPort;
    private final Path log;

    private ServiceProcess(Process process, int httpPort, int managementPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts the service with these system properties; its output goes to {@code log}.
     *
     * @param jvmOptions extra JVM options (heap, for example)
     */
    public static ServiceProcess start(Map<String, String> properties, int httpPort, Path log, List<String> jvmOptions)
            throws IOException {
        return start(properties, Map.of(), httpPort, log, jvmOptions);
    }

    /**
     * As {@link #start(Map, int, Path, List)}, with these environment variables too (secrets, which
     * never go on the command line). The management port is {@code quarkus.management.port} when
     * given, else a free one.
     */
    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment, int httpPort, Path log,
                                       List<String> jvmOptions) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IOException(JAR + " is missing: build the service first (./mvnw package -DskipTests)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dquarkus.http.port=" + httpPort);
        int managementPort = properties.containsKey(MANAGEMENT_PORT) ? Integer.parseInt(properties.get(MANAGEMENT_PORT)) : freePort();
        cmd.add("-D" + MANAGEMENT_PORT + "=" + managementPort);
        properties.forEach((k, v) -> {
            if (!k.equals(MANAGEMENT_PORT)) {
                cmd.add("-D" + k + "=" + v);
            }
        });
        cmd.add("-jar");
        cmd.add(JAR.toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        pb.environment().putAll(environment);
        return new ServiceProcess(pb.start(), httpPort, managementPort, log);
    }

    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    /**
     * A port free now and never handed out before in this JVM. A port is only reserved once the
     * process that is given it binds it, and the system may hand a just-released port out again:
     * two services, or one service's HTTP and management ports, were given the same one.
     */
    public static synchronized int freePort() throws IOException {
        while (true) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    public int httpPort() {
        return httpPort;
    }

    /** The port of health ({@code /q/health/*}) and metrics ({@code /q/metrics}). */
    public int managementPort() {
        return managementPort;
    }

    public Path log() {
        return log;
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** CPU time the process has used so far (all its threads, user and system), in seconds; NaN when the OS does not tell. */
    public double cpuSeconds() {
        return CpuTime.of(process.toHandle());
    }

    /** GET on the service; status and body, or status -1 when it does not answer. */
    public Response get(String path) {
        return get(path, Map.of());
    }

    /**
     * GET with these headers; {@code path} is sent as given (percent escapes and all), to the
     * management port for {@code /q/...} (health, metrics) and to the HTTP port for the rest.
     */
    public Response get(String path, Map<String, String> headers) {
        try {
            int port = path.startsWith("/q/") ? managementPort : httpPort;
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(5));
            headers.forEach(request::header);
            HttpResponse<String> r = HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Response(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(-1, "interrupted");
        }
    }

    /** GET on the service with the whole answer (headers too); null when it does not answer. */
    public HttpResponse<String> request(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public boolean isReady() {
        return get("/q/health/ready").status() == 200;
    }

    /** Waits for the process to end by itself; its exit status, or null if it still runs after {@code timeout}. */
    public Integer waitForExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** {@code kill -9}: no shutdown hook, no flush, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Polite stop (SIGTERM), then a kill after the grace period. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    public record Response(int status, String body) {
    }
}
