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

    private final Process process;
    private final int httpPort;
    private final Path log;

    private ServiceProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * Starts the service with these system properties; its output goes to {@code log}.
     *
     * @param jvmOptions extra JVM options (heap, for example)
     */
    public static ServiceProcess start(Map<String, String> properties, int httpPort, Path log, List<String> jvmOptions)
            throws IOException {
        if (!Files.exists(JAR)) {
            throw new IOException(JAR + " is missing: build the service first (./mvnw package -DskipTests)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dquarkus.http.port=" + httpPort);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(JAR.toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        return new ServiceProcess(pb.start(), httpPort, log);
    }

    public int httpPort() {
        return httpPort;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** GET on the service; status and body, or status -1 when it does not answer. */
    public Response get(String path) {
        return get(path, Map.of());
    }

    /** GET with these headers; {@code path} is sent as given (percent escapes and all). */
    public Response get(String path, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path)).timeout(Duration.ofSeconds(5));
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
