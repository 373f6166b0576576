package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.kafka.TestPki;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side as the README documents it, on the packaged service: two instances with TLS on
 * their API and management ports and bearer JWTs (one verifying with a JWKS file, the other with
 * the PEM public key), two with plain HTTP and an API key (one from a file, one from the
 * environment); each answers for every key with valid credentials, forwarding to the other
 * instance where it must (the overview of all keys asks the other instance too), refuses without
 * them with a JSON 401, and bad requests get a JSON 4xx
 * without a stack trace. The TLS instances reload their files as cert-manager's renewals need: a
 * rotated certificate authority is served and trusted for forwarding without a restart.
 */
class HttpSecurityIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String INPUT = "http-input";
    static final int KEYS = 8;
    static LocalKafka kafka;
    static Path dir;
    static TestPki pki;
    /** The authority the TLS instances rotate to. */
    static TestPki nextPki;
    /** The files the TLS instances read, replaced in place as cert-manager does with a Secret's. */
    static Path live;
    static KeyPair signer;
    static HttpClient https;
    static String apiKey;
    static final List<ServiceProcess> tls = new ArrayList<>();
    static final List<ServiceProcess> keyed = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("http-security");
        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 4, "http-predictions", 2, "http-dlq", 1));
        pki = TestPki.create(dir.resolve("pki"), "http-test-ca");
        TestPki.Issued server = pki.issue("localhost", "localhost");
        nextPki = TestPki.create(dir.resolve("pki-next"), "http-test-ca-next");
        live = Files.createDirectories(dir.resolve("live"));
        install(server, pki.caPem());
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        signer = g.generateKeyPair();
        JsonWebKey jwk = JsonWebKey.Factory.newJwk(signer.getPublic());
        jwk.setKeyId("forecaster-test");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JsonWebKeySet(jwk).toJson());
        Path publicKey = Files.writeString(dir.resolve("public.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(signer.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        apiKey = TestPki.password();
        Path apiKeyFile = Files.writeString(dir.resolve("api-key"), apiKey + "\n");

        https = HttpClient.newBuilder().sslContext(trusting(pki.ca(), nextPki.ca())).connectTimeout(Duration.ofSeconds(2)).build();

        for (int i = 0; i < 2; i++) {
            int port = SecuredKafka.freePort();
            Map<String, String> p = properties("http-tls", port);
            p.put("quarkus.http.ssl-port", Integer.toString(port)); // HTTPS on the API port itself
            p.put("quarkus.http.insecure-requests", "disabled");
            p.put("quarkus.tls.key-store.pem.0.cert", live.resolve("tls.crt").toString());
            p.put("quarkus.tls.key-store.pem.0.key", live.resolve("tls.key").toString());
            p.put("quarkus.tls.trust-store.pem.certs", live.resolve("ca.crt").toString());
            p.put("quarkus.tls.reload-period", "2s");
            // idle connections close soon, so that a forwarded query after the rotation makes a new handshake
            p.put("quarkus.http.idle-timeout", "3s");
            p.put("forecaster.api.auth", "jwt");
            p.put(i == 0 ? "forecaster.api.jwt.jwks-file" : "forecaster.api.jwt.public-key-file", (i == 0 ? jwks : publicKey).toString());
            p.put("forecaster.api.jwt.issuer", "https://issuer.example");
            p.put("forecaster.api.jwt.audience", "stream-forecaster");
            tls.add(ServiceProcess.start(p, Map.of(), port, Path.of("target", "it-logs", "http-tls-" + i + ".log"), List.of("-Xmx768m")));
        }
        for (int i = 0; i < 2; i++) {
            int port = SecuredKafka.freePort();
            Map<String, String> p = properties("http-key", port);
            p.put("forecaster.api.auth", "api-key");
            Map<String, String> env = new HashMap<>();
            if (i == 0) {
                p.put("forecaster.api.key-file", apiKeyFile.toString());
            } else {
                env.put("FORECASTER_API_KEY", apiKey);
            }
            keyed.add(ServiceProcess.start(p, env, port, Path.of("target", "it-logs", "http-key-" + i + ".log"), List.of("-Xmx768m")));
        }
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>(INPUT, "key-" + k, Double.toString(100 + k + Math.sin(i))));
                }
            }
        }
        // until an instance listens, asking it is refused or times out (2 cores, four JVMs starting): "not ready yet", not a failure
        await().alias("all four instances ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsInstanceOf(java.io.IOException.class).untilAsserted(() -> {
            for (ServiceProcess s : tls) {
                assertTrue(s.isAlive(), "exited: " + s.log());
                assertEquals(200, get(https, "https://localhost:" + s.managementPort() + "/q/health/ready", Map.of()).statusCode(), s.log().toString());
            }
            for (ServiceProcess s : keyed) {
                assertTrue(s.isAlive(), "exited: " + s.log());
                assertTrue(s.isReady(), s.log().toString());
            }
        });
    }

    /** The certificate, its key and the authority to trust, each file replaced whole (a reload sees the old file or the new one). */
    static void install(TestPki.Issued issued, Path ca) throws Exception {
        for (Path[] f : List.of(new Path[] {issued.keyPem(), live.resolve("tls.key")}, new Path[] {issued.certificatePem(), live.resolve("tls.crt")},
                new Path[] {ca, live.resolve("ca.crt")})) {
            Path tmp = Files.copy(f[0], live.resolve(f[1].getFileName() + ".new"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, f[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    static javax.net.ssl.SSLContext trusting(java.security.cert.X509Certificate... cas) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            trust.setCertificateEntry("ca-" + i, cas[i]);
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    static Map<String, String> properties(String app, int port) throws Exception {
        Map<String, String> p = TestServices.properties(kafka.bootstrapServers(), app, Files.createTempDirectory(app + "-state"), INPUT,
                "http-predictions", "http-dlq");
        p.put("quarkus.kafka-streams.application-server", "localhost:" + port);
        p.put("kafka-streams.num.stream.threads", "1");
        return p;
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess s : tls) {
            s.close();
        }
        for (ServiceProcess s : keyed) {
            s.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static HttpResponse<String> get(HttpClient client, String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        headers.forEach(r::header);
        return client.send(r.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static String token(int expiresInMinutes) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("dashboard");
        claims.setIssuer("https://issuer.example");
        claims.setAudience("stream-forecaster");
        claims.setExpirationTimeMinutesInTheFuture(expiresInMinutes);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.getPrivate());
        jws.setKeyIdHeaderValue("forecaster-test");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    static void assertJsonError(int status, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error"), r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), "no internals: " + r.body());
    }

    /** The overview holds every key, the other instance's too: it was asked over the same scheme with the caller's credentials. */
    static void assertEveryKeyListed(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        JsonNode page = JSON.readTree(r.body());
        assertFalse(page.get("partial").asBoolean(), "the other instance answered: " + r.body());
        assertEquals(KEYS, page.get("total").asInt(), r.body());
    }

    @Test
    void overTlsEveryInstanceAnswersForEveryKeyWithAValidTokenForwardingWhereItMust() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token(5));
        for (ServiceProcess s : tls) {
            String base = "https://localhost:" + s.httpPort();
            await().alias("every key from " + s.log()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (int k = 0; k < KEYS; k++) {
                    HttpResponse<String> r = get(https, base + "/series/key-" + k + "/forecast", auth);
                    assertEquals(200, r.statusCode(), "key-" + k + ": " + r.body());
                    assertEquals("key-" + k, JSON.readTree(r.body()).get("key").asText());
                }
            });
            assertEveryKeyListed(get(https, base + "/series?limit=100", auth));
            assertJsonError(401, get(https, base + "/series", Map.of()));
            assertJsonError(401, get(https, base + "/series/key-0/forecast", Map.of()));
            assertJsonError(401, get(https, base + "/series/key-0/forecast", Map.of("Authorization", "Bearer " + token(-5))));
            assertJsonError(401, get(https, base + "/series/key-0/forecast", Map.of("Authorization", "Bearer " + token(5).replace('a', 'b'))));
            assertTrue(get(https, base + "/series/key-0/forecast", Map.of()).headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            // plain HTTP is not served at all on either port
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            for (int port : List.of(s.httpPort(), s.managementPort())) {
                try {
                    HttpResponse<String> r = get(plain, "http://localhost:" + port + "/series/key-0/forecast", auth);
                    assertTrue(r.statusCode() >= 400, "plain HTTP on " + port + " answered " + r.statusCode());
                } catch (java.io.IOException expected) {
                    // the TLS port does not speak plain HTTP
                }
            }
            assertEquals(200, get(https, "https://localhost:" + s.managementPort() + "/q/metrics", Map.of()).statusCode(), "metrics over TLS");
        }
    }

    /**
     * The certificate authority is rotated in place (cert-manager renewing a Secret whose issuer
     * changed): within the reload period each instance serves the new certificate, and forwards to
     * the other trusting the new authority alone, without a restart.
     */
    @Test
    void aRotatedCertificateAuthorityIsServedAndTrustedForForwardingWithoutARestart() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token(5));
        // every key answered before the rotation: the instances have forwarded to each other with the first authority
        for (ServiceProcess s : tls) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertEveryKeyListed(get(https, "https://localhost:" + s.httpPort() + "/series?limit=100", auth)));
        }
        install(nextPki.issue("localhost", "localhost"), nextPki.caPem());
        HttpClient onlyNext = HttpClient.newBuilder().sslContext(nextPki.trustingContext()).connectTimeout(Duration.ofSeconds(2)).build();
        // a client that trusts the new authority alone gets through: each instance has reloaded its files
        for (ServiceProcess s : tls) {
            await().alias("the new certificate from " + s.log()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptionsInstanceOf(java.io.IOException.class).untilAsserted(() ->
                    assertEquals(200, get(onlyNext, "https://localhost:" + s.managementPort() + "/q/health/ready", Map.of()).statusCode()));
        }
        for (ServiceProcess s : tls) {
            String base = "https://localhost:" + s.httpPort();
            // no query for longer than the idle timeout first: the connections between the instances, opened with the
            // first authority, are closed, so that forwarding must make a handshake with the new one
            await().alias("every key, forwarded with the new authority, from " + s.log()).pollDelay(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptionsInstanceOf(java.io.IOException.class).untilAsserted(() -> {
                assertEveryKeyListed(get(onlyNext, base + "/series?limit=100", auth));
                for (int k = 0; k < KEYS; k++) {
                    HttpResponse<String> r = get(onlyNext, base + "/series/key-" + k + "/forecast", auth);
                    assertEquals(200, r.statusCode(), "key-" + k + ": " + r.body());
                }
            });
        }
        assertTrue(tls.stream().allMatch(ServiceProcess::isAlive));
    }

    @Test
    void withAnApiKeyEveryInstanceAnswersForEveryKeyForwardingWhereItMustAndRefusesWithoutIt() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        for (ServiceProcess s : keyed) {
            String base = "http://localhost:" + s.httpPort();
            await().alias("every key from " + s.log()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (int k = 0; k < KEYS; k++) {
                    HttpResponse<String> r = get(plain, base + "/series/key-" + k + "/forecast", Map.of("X-API-Key", apiKey));
                    assertEquals(200, r.statusCode(), "key-" + k + ": " + r.body());
                }
            });
            assertEveryKeyListed(get(plain, base + "/series?limit=100", Map.of("X-API-Key", apiKey)));
            assertJsonError(401, get(plain, base + "/series", Map.of()));
            assertJsonError(401, get(plain, base + "/series/key-0/forecast", Map.of()));
            assertJsonError(401, get(plain, base + "/series/key-0/forecast", Map.of("X-API-Key", apiKey + "x")));
            assertEquals(200, get(plain, "http://localhost:" + s.managementPort() + "/q/health/live", Map.of()).statusCode(), "health needs no key");
        }
    }

    /** A request sent byte for byte (java.net.URI would refuse some of these paths), its status and body. */
    static String[] raw(int port, String requestLine, String extraHeaders) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: localhost\r\nX-API-Key: " + apiKey + "\r\n" + extraHeaders + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String status = response.split(" ", 3)[1];
            int bodyAt = response.indexOf("\r\n\r\n");
            return new String[] {status, bodyAt < 0 ? "" : response.substring(bodyAt + 4)};
        }
    }

    static void assertRawJsonError(int status, String[] r) throws Exception {
        assertEquals(Integer.toString(status), r[0], r[1]);
        assertTrue(JSON.readTree(r[1]).hasNonNull("error"), r[1]);
        assertFalse(r[1].contains("Exception") || r[1].contains("\tat "), "no internals: " + r[1]);
    }

    @Test
    void badRequestsGetAClearJsonAnswerWithoutInternals() throws Exception {
        int port = keyed.get(0).httpPort();
        assertRawJsonError(400, raw(port, "GET /series/" + "x".repeat(300) + "/forecast HTTP/1.1", ""));
        assertRawJsonError(400, raw(port, "GET /series/" + "%41".repeat(300) + "/forecast HTTP/1.1", ""));
        assertRawJsonError(400, raw(port, "GET /series/%FF%FE/forecast HTTP/1.1", ""));
        assertRawJsonError(400, raw(port, "GET /series/%C0%AF/forecast HTTP/1.1", ""));
        assertRawJsonError(400, raw(port, "GET /series/%ED%A0%80/model HTTP/1.1", ""));
        assertRawJsonError(400, raw(port, "GET /series/a%00b/forecast HTTP/1.1", ""));
        // malformed URIs: the key's own escapes are PathKey's to judge, the rest RequestUriCheck's, on both ports
        String[] badEscape = raw(port, "GET /series/a%G1/forecast HTTP/1.1", "");
        assertRawJsonError(400, badEscape);
        assertTrue(badEscape[1].contains("malformed percent-encoding"), badEscape[1]);
        String[] badQuery = raw(port, "GET /series/key-0/history?points=%G1 HTTP/1.1", "");
        assertRawJsonError(400, badQuery);
        assertTrue(badQuery[1].contains("malformed request URI"), badQuery[1]);
        assertRawJsonError(400, raw(port, "GET /nothing|here HTTP/1.1", ""));
        assertRawJsonError(400, raw(keyed.get(0).managementPort(), "GET /q/health%G1 HTTP/1.1", ""));
        // a key with a character a URI must escape, sent unescaped as many clients do: a key like any other
        String[] pipe = raw(port, "GET /series/no|such-key/forecast HTTP/1.1", "");
        assertRawJsonError(404, pipe);
        assertTrue(pipe[1].contains("no|such-key"), pipe[1]);
        assertRawJsonError(431, raw(port, "GET /series/key-0/forecast HTTP/1.1", "X-Big: " + "b".repeat(20_000) + "\r\n"));
        assertRawJsonError(404, raw(port, "GET /nothing-here HTTP/1.1", ""));
        assertRawJsonError(405, raw(port, "DELETE /series/key-0/forecast HTTP/1.1", ""));
        // beyond the server's own limits the connection is answered before any of our code: still a 4xx
        String[] huge = raw(port, "GET /series/key-0/forecast HTTP/1.1", "X-Huge: " + "h".repeat(100_000) + "\r\n");
        assertTrue(huge[0].startsWith("4"), "status " + huge[0]);
        assertTrue(keyed.get(0).isAlive());
        assertEquals(200, keyed.get(0).get("/series/key-0/forecast", Map.of("X-API-Key", apiKey)).status(), "still answering");
    }
}
