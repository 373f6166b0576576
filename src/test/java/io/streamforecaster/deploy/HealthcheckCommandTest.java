package io.streamforecaster.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.streamforecaster.kafka.TestPki;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's HEALTHCHECK command (docker/healthcheck.sh, as the Dockerfile installs it), run against a
 * server answering as the service's liveness does: healthy on 200 only, over plain HTTP and over HTTPS
 * (the HTTP side's TLS puts the management port on HTTPS only). A DOWN liveness (503, one
 * stream-thread check DOWN) still lists the checks that are UP in its body.
 */
class HealthcheckCommandTest {

    static final String UP = "{\"status\":\"UP\",\"checks\":[{\"name\":\"Kafka Streams state\",\"status\":\"UP\"}]}";
    static final String DOWN = "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"Kafka Streams state\",\"status\":\"UP\"},"
            + "{\"name\":\"forecaster stream threads\",\"status\":\"DOWN\"}]}";

    @TempDir
    static Path dir;
    static SSLContext tls;

    @BeforeAll
    static void certificate() throws Exception {
        Assumptions.assumeTrue(DeploymentFilesTest.onPath("curl") != null,
                "HealthcheckCommandTest skipped: curl, which the image installs for its HEALTHCHECK, is not on the PATH");
        TestPki.Issued server = TestPki.create(dir.resolve("pki"), "healthcheck-ca").issue("localhost", "localhost");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server.keystoreP12())) {
            ks.load(in, server.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, server.password().toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
    }

    /** The script the HEALTHCHECK runs, where the Dockerfile copies it from. */
    static Path script() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile")).replace("\\\n", " ");
        String installed = null;
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith("HEALTHCHECK")) {
                JsonNode cmd = new ObjectMapper().readTree(line.substring(line.indexOf('[')));
                assertEquals(1, cmd.size(), "the HEALTHCHECK runs one script: " + cmd);
                installed = cmd.get(0).asText();
            }
        }
        assertTrue(installed != null, "docker/Dockerfile has no HEALTHCHECK");
        for (String line : dockerfile.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("COPY") && words[words.length - 1].equals(installed)) {
                return Path.of(words[words.length - 2]);
            }
        }
        throw new AssertionError("docker/Dockerfile does not COPY " + installed);
    }

    static int run(boolean https, int status, String body) throws Exception {
        HttpServer server = https ? HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0)
                : HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        if (https) {
            ((HttpsServer) server).setHttpsConfigurator(new HttpsConfigurator(tls));
        }
        server.createContext("/q/health/live", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", script().toString()).redirectErrorStream(true);
            pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(server.getAddress().getPort()));
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the HEALTHCHECK command did not end");
            }
            return p.exitValue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldBeHealthyOnlyWhenLivenessAnswers200() throws Exception {
        assertEquals(0, run(false, 200, UP));
        assertNotEquals(0, run(false, 503, DOWN), "one check DOWN: unhealthy");
    }

    @Test
    void shouldSpeakHttpsWhenTheManagementPortDoes() throws Exception {
        assertEquals(0, run(true, 200, UP), "liveness UP over HTTPS: healthy");
        assertNotEquals(0, run(true, 503, DOWN), "one check DOWN over HTTPS: unhealthy");
    }

    @Test
    void shouldBeUnhealthyWhenNothingListens() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("sh", script().toString()).redirectErrorStream(true);
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(port));
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue());
    }
}
