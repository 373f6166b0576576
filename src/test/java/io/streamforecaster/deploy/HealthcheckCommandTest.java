package io.streamforecaster.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The image's HEALTHCHECK command, run with bash against a server answering as the service's
 * liveness does: healthy on 200 only. A DOWN liveness (503, one stream-thread check DOWN) still
 * lists the checks that are UP in its body, which the command took for healthy.
 */
class HealthcheckCommandTest {

    static String command() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile")).replace("\\\n", " ");
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith("HEALTHCHECK")) {
                JsonNode cmd = new ObjectMapper().readTree(line.substring(line.indexOf('[')));
                assertEquals("bash", cmd.get(0).asText());
                return cmd.get(2).asText();
            }
        }
        throw new AssertionError("docker/Dockerfile has no HEALTHCHECK");
    }

    static int run(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/live", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command()).redirectErrorStream(true);
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
        assertEquals(0, run(200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"Kafka Streams state\",\"status\":\"UP\"}]}"));
        assertNotEquals(0, run(503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"Kafka Streams state\",\"status\":\"UP\"},"
                + "{\"name\":\"forecaster stream threads\",\"status\":\"DOWN\"}]}"), "one check DOWN: unhealthy");
    }
}
