package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.kafka.KafkaAccessCheck;
import io.streamforecaster.kafka.RequiredAcls;
import io.streamforecaster.kafka.TestPki;
import io.streamforecaster.stream.DeadLetter;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged service on a secured Kafka cluster ({@link SecuredKafka}: a real broker with a
 * SASL_SSL listener and a client-certificate SSL listener, StandardAuthorizer, no ACL means no
 * access), each service principal granted exactly {@link RequiredAcls} (the README's list): over
 * SCRAM-SHA-512, over mutual TLS and over PLAIN it forecasts, dead-letters, answers queries and
 * keeps its model versions across a {@code kill -9}; with a wrong password, an untrusted
 * certificate or a missing ACL it stays up, not ready, with the reason and one clear error; every
 * ACL of the list is needed; and no secret reaches any service log. One broker serves all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int N_STEPS = 12;
    static SecuredKafka kafka;
    static Path dir;
    static final List<String> secrets = new ArrayList<>();
    static final List<Path> serviceLogs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("secured-kafka");
        kafka = SecuredKafka.start(dir, Path.of("target", "it-logs", "secured-broker.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** An application of the service: its topics, and exactly the ACLs it needs granted to {@code principal}. */
    record App(String id, String input, String output, String deadLetter) {

        static App create(String id, String principal) throws Exception {
            // not named "<id>-...": the prefixed ACL on the application's internal topics would cover them
            App app = new App(id, "in-" + id, "out-" + id, "dlq-" + id);
            kafka.createTopics(Map.of(app.input, 2, app.output, 2, app.deadLetter, 1));
            kafka.grant(app.acls().stream().flatMap(acl -> acl.bindings(principal).stream()).toList());
            return app;
        }

        List<RequiredAcls.Acl> acls() {
            return RequiredAcls.of(id, input, output, deadLetter, null, false);
        }

        Map<String, String> properties(String bootstrap) throws Exception {
            Map<String, String> p = TestServices.properties(bootstrap, id, Files.createTempDirectory(id + "-state"), input, output, deadLetter);
            p.put("forecaster.training.min-observations", "40");
            p.put("forecaster.training.min-new-observations", "100000"); // one model per key: a retrain after the restart would show
            p.put("forecaster.training.epochs", "10");
            return p;
        }
    }

    static Path secretFile(String name, String secret) throws Exception {
        secrets.add(secret);
        return Files.writeString(dir.resolve(name), secret + "\n");
    }

    /** A fresh log per service: ServiceProcess appends, and an earlier run's lines would count as this one's. */
    static Path freshLog(String log) throws Exception {
        Path path = Path.of("target", "it-logs", log + ".log");
        Files.deleteIfExists(path);
        serviceLogs.add(path);
        return path;
    }

    static ServiceProcess startReady(Map<String, String> properties, Map<String, String> env, String log) throws Exception {
        freshLog(log);
        return TestServices.startReady(properties, env, log);
    }

    static ServiceProcess startUnready(Map<String, String> properties, Map<String, String> env, String log) throws Exception {
        freshLog(log);
        return TestServices.start(properties, env, log);
    }

    @Test
    @Order(1)
    void overScramTheServiceForecastsDeadLettersAnswersAndKeepsItsModelsAcrossARestart() throws Exception {
        String password = TestPki.password();
        kafka.scramUser("forecaster-scram", password);
        App app = App.create("scram", "User:forecaster-scram");
        Map<String, String> p = app.properties(kafka.saslBootstrap());
        p.put("forecaster.kafka.security-protocol", "SASL_SSL");
        p.put("forecaster.kafka.sasl.username", "forecaster-scram");
        p.put("forecaster.kafka.sasl.password-file", secretFile("scram-password", password).toString());
        p.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());
        forecastsDeadLettersQueriesAndRestart(app, p, Map.of(), "secured-scram");
    }

    @Test
    @Order(2)
    void overMutualTlsWithPemFilesTheServiceForecastsDeadLettersAnswersAndKeepsItsModelsAcrossARestart() throws Exception {
        TestPki.Issued client = kafka.pki().issue("forecaster-mtls");
        secrets.add(keyBody(client));
        App app = App.create("mtls", "User:CN=forecaster-mtls");
        Map<String, String> p = app.properties(kafka.mtlsBootstrap());
        p.put("forecaster.kafka.security-protocol", "SSL");
        p.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());
        p.put("forecaster.kafka.ssl.keystore.certificate-file", client.certificatePem().toString());
        p.put("forecaster.kafka.ssl.keystore.key-file", client.keyPem().toString());
        forecastsDeadLettersQueriesAndRestart(app, p, Map.of(), "secured-mtls");
    }

    @Test
    @Order(3)
    void overPlainWithSecretsFromTheEnvironmentAndAPkcs12TrustStoreTheServiceForecasts() throws Exception {
        App app = App.create("plain", "User:" + SecuredKafka.PLAIN_USER);
        TestPki.Issued trust = kafka.pki().issue("plain-truststore-holder");
        secrets.add(kafka.plainPassword());
        secrets.add(trust.password());
        Map<String, String> p = app.properties(kafka.saslBootstrap());
        p.put("forecaster.kafka.security-protocol", "SASL_SSL");
        p.put("forecaster.kafka.sasl.mechanism", "PLAIN");
        p.put("forecaster.kafka.sasl.username", SecuredKafka.PLAIN_USER);
        p.put("forecaster.kafka.ssl.truststore.location", trust.truststoreP12().toString());
        Map<String, String> env = Map.of("FORECASTER_KAFKA_SASL_PASSWORD", kafka.plainPassword(),
                "FORECASTER_KAFKA_SSL_TRUSTSTORE_PASSWORD", trust.password());
        try (ServiceProcess service = startReady(p, env, "secured-plain");
             var producer = producer(); var consumer = consumer(app)) {
            SeriesGenerator g = new SeriesGenerator(1, 3);
            for (int i = 0; i < N_STEPS + 4; i++) {
                producer.send(new ProducerRecord<>(app.input, g.key(0), Double.toString(g.next(0))));
            }
            producer.flush();
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            await().alias("forecasts over PLAIN").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                assertEquals(5, out.size());
            });
            assertEquals(200, service.get("/series/" + g.key(0) + "/forecast").status());
        }
    }

    /** The whole flow over one listener: forecasts, dead letters, REST, then kill -9 and a restart that keeps the models. */
    static void forecastsDeadLettersQueriesAndRestart(App app, Map<String, String> p, Map<String, String> env, String log) throws Exception {
        SeriesGenerator g = new SeriesGenerator(2, 11);
        int steps = 60;
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        Map<String, Long> versions = new HashMap<>();
        try (var producer = producer(); var consumer = consumer(app)) {
            ServiceProcess service = startReady(p, env, log);
            try {
                for (int i = 0; i < steps; i++) {
                    for (int k = 0; k < 2; k++) {
                        producer.send(new ProducerRecord<>(app.input, g.key(k), Double.toString(g.next(k))));
                    }
                }
                producer.send(new ProducerRecord<>(app.input, g.key(0), "not a number"));
                producer.send(new ProducerRecord<>(app.input, g.key(1), "NaN"));
                producer.flush();
                int expected = 2 * (steps - (N_STEPS - 1));
                await().alias("a forecast for every accepted event, both bad records dead-lettered").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                    assertEquals(expected, out.stream().filter(r -> r.topic().equals(app.output)).count());
                    assertEquals(2, out.stream().filter(r -> r.topic().equals(app.deadLetter)).count());
                });
                List<String> reasons = out.stream().filter(r -> r.topic().equals(app.deadLetter))
                        .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8)).sorted().toList();
                assertEquals(List.of("non-finite", "not-a-number"), reasons);
                for (int k = 0; k < 2; k++) {
                    String key = g.key(k);
                    await().alias("model of " + key).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                            .until(() -> service.get("/series/" + key + "/model").status() == 200);
                    JsonNode model = JSON.readTree(service.get("/series/" + key + "/model").body());
                    versions.put(key, model.get("version").asLong());
                    JsonNode forecast = JSON.readTree(service.get("/series/" + key + "/forecast").body());
                    assertEquals(key, forecast.get("key").asText());
                }
                assertEquals(200, service.get("/q/health/ready").status(), "ready: every ACL it needs is there");
                awaitModelsCommitted(app, versions.keySet());
            } finally {
                service.kill();
            }
            ServiceProcess again = startReady(p, env, log + "-restart");
            try (again) {
                for (var e : versions.entrySet()) {
                    // ready is not yet queryable: the killed member's partitions move back once its session ends
                    await().alias("model of " + e.getKey() + " after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> {
                                ServiceProcess.Response r = again.get("/series/" + e.getKey() + "/model");
                                assertEquals(200, r.status(), r.body());
                            });
                    JsonNode model = JSON.readTree(again.get("/series/" + e.getKey() + "/model").body());
                    assertEquals(e.getValue().longValue(), model.get("version").asLong(), "the same model after the restart: " + model);
                }
                int before = out.size();
                for (int k = 0; k < 2; k++) {
                    producer.send(new ProducerRecord<>(app.input, g.key(k), Double.toString(g.next(k))));
                }
                producer.flush();
                await().alias("forecasts go on after the restart").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                    assertTrue(out.size() >= before + 2);
                });
            }
        }
    }

    /**
     * Before the kill: the models are in the model store's changelog (the store's cache reaches it
     * only at a commit, every 10 s), so that the restart restores them rather than training anew.
     */
    static void awaitModelsCommitted(App app, java.util.Set<String> keys) {
        Map<String, Object> c = new HashMap<>(kafka.adminClientSettings());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        String changelog = app.id + "-" + io.streamforecaster.stream.Stores.MODELS + "-changelog";
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(consumer.partitionsFor(changelog).stream()
                    .map(pi -> new org.apache.kafka.common.TopicPartition(changelog, pi.partition())).toList());
            await().alias("models of " + keys + " in " + changelog).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
                assertTrue(seen.containsAll(keys), "in the changelog: " + seen);
            });
        }
    }

    @Test
    @Order(4)
    void aWrongPasswordAnUntrustedCertificateOrAMissingAclLeaveTheServiceUpNotReadyWithTheReasonAndOneClearError() throws Exception {
        String password = TestPki.password();
        kafka.scramUser("forecaster-wrong", password);
        App wrongApp = App.create("wrong", "User:forecaster-wrong");
        Map<String, String> wrong = wrongApp.properties(kafka.saslBootstrap());
        wrong.put("forecaster.kafka.security-protocol", "SASL_SSL");
        wrong.put("forecaster.kafka.sasl.username", "forecaster-wrong");
        wrong.put("forecaster.kafka.sasl.password-file", secretFile("wrong-password", "not-" + password).toString());
        wrong.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());

        TestPki rogue = TestPki.create(dir.resolve("rogue-pki"), "rogue-ca");
        TestPki.Issued stranger = rogue.issue("forecaster-stranger");
        App strangerApp = App.create("stranger", "User:CN=forecaster-stranger");
        Map<String, String> untrusted = strangerApp.properties(kafka.mtlsBootstrap());
        untrusted.put("forecaster.kafka.security-protocol", "SSL");
        untrusted.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());
        untrusted.put("forecaster.kafka.ssl.keystore.location", stranger.keystoreP12().toString());
        untrusted.put("forecaster.kafka.ssl.keystore.password-file", secretFile("stranger-password", stranger.password()).toString());

        String limitedPassword = TestPki.password();
        kafka.scramUser("forecaster-limited", limitedPassword);
        App limitedApp = App.create("limited", "User:forecaster-limited");
        kafka.revoke(RequiredAcls.of("limited", limitedApp.input, limitedApp.output, limitedApp.deadLetter, null, false).get(1)
                .bindings("User:forecaster-limited"));
        Map<String, String> limited = limitedApp.properties(kafka.saslBootstrap());
        limited.put("forecaster.kafka.security-protocol", "SASL_SSL");
        limited.put("forecaster.kafka.sasl.username", "forecaster-limited");
        limited.put("forecaster.kafka.sasl.password-file", secretFile("limited-password", limitedPassword).toString());
        limited.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());

        try (ServiceProcess a = startUnready(wrong, Map.of(), "secured-wrong-password");
             ServiceProcess b = startUnready(untrusted, Map.of(), "secured-untrusted-certificate");
             ServiceProcess c = startUnready(limited, Map.of(), "secured-missing-acl")) {
            awaitNotReadyBecause(a, "AUTHENTICATION", "forecaster.kafka.sasl.username");
            awaitNotReadyBecause(b, "TLS", "forecaster.kafka.ssl.keystore");
            awaitNotReadyBecause(c, "AUTHORIZATION", "[WRITE] on TOPIC 'out-limited'");
            // a while later: still up, still not ready, and the failure was logged once, not on every reconnect
            await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> true);
            for (ServiceProcess s : List.of(a, b)) {
                assertTrue(s.isAlive(), "no crash: " + s.log());
                assertEquals(503, s.get("/q/health/ready").status());
                assertEquals(200, s.get("/q/health/live").status(), "alive: a restart would not fix credentials");
                List<String> lines = Files.readAllLines(s.log());
                List<String> errors = lines.stream().filter(l -> l.contains(" ERROR ")).toList();
                assertEquals(1, errors.size(), "one clear error in " + s.log() + ": " + errors);
                long mentions = lines.stream().filter(l -> l.toLowerCase(java.util.Locale.ROOT).matches(".*(authentication failed|failed authentication|handshake).*")).count();
                assertEquals(1, mentions, "the failure is not repeated in " + s.log());
            }
            assertTrue(c.isAlive());
        }
    }

    static void awaitNotReadyBecause(ServiceProcess s, String status, String reasonPart) {
        await().alias(s.log() + " not ready because " + status).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertTrue(s.isAlive(), "service exited; see " + s.log());
            ServiceProcess.Response r = s.get("/q/health/ready");
            assertEquals(503, r.status(), r.body());
            JsonNode check = null;
            for (JsonNode c : JSON.readTree(r.body()).get("checks")) {
                if (c.get("name").asText().equals("forecaster kafka access")) {
                    check = c;
                }
            }
            assertNotNull(check, r.body());
            assertEquals(status, check.path("data").path("status").asText(), r.body());
            assertTrue(check.path("data").path("reason").asText().contains(reasonPart), r.body());
        });
    }

    /** The access check with every required ACL but one names the one that is missing; with all of them it passes. */
    @Test
    @Order(5)
    void everyAclOfTheListIsNeededAndTheCheckNamesTheMissingOne() throws Exception {
        kafka.createTopics(Map.of("acl-input", 1, "acl-predictions", 1, "acl-dlq", 1, "acl-anomalies", 1));
        List<RequiredAcls.Acl> acls = RequiredAcls.of("acl-app", "acl-input", "acl-predictions", "acl-dlq", "acl-anomalies", true);
        KafkaAccessCheck.Target target = new KafkaAccessCheck.Target(kafka.saslBootstrap(), "acl-app", "acl-input", "acl-predictions", "acl-dlq",
                "acl-anomalies", true);
        for (int i = -1; i < acls.size(); i++) {
            String user = "acl-user-" + (i + 1);
            String password = TestPki.password();
            kafka.scramUser(user, password);
            List<org.apache.kafka.common.acl.AclBinding> grants = new ArrayList<>();
            for (int j = 0; j < acls.size(); j++) {
                if (j != i) {
                    grants.addAll(acls.get(j).bindings("User:" + user));
                }
            }
            kafka.grant(grants);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.saslBootstrap(), "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.type", "PEM", "ssl.truststore.location", kafka.pki().caPem().toString(),
                    "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";"))) {
                KafkaAccessCheck.Outcome o = KafkaAccessCheck.check(admin, target, Duration.ofSeconds(30));
                if (i < 0) {
                    assertTrue(o.ok(), "all ACLs granted: " + o);
                } else {
                    RequiredAcls.Acl missing = acls.get(i);
                    assertEquals(KafkaAccessCheck.Status.AUTHORIZATION, o.status(), "without " + missing + ": " + o);
                    assertTrue(o.reason().contains(missing.resource() + " ") && o.reason().contains(missing.name()), "names " + missing + ": " + o.reason());
                    assertTrue(missing.operations().stream().anyMatch(op -> o.reason().contains("[" + op.name()) || o.reason().contains(" " + op.name())),
                            "an operation of " + missing + " in " + o.reason());
                }
            }
        }
    }

    @Test
    @Order(6)
    void noSecretReachesAnyServiceLog() throws Exception {
        assertFalse(serviceLogs.isEmpty());
        assertTrue(secrets.size() >= 5, "secrets handed to services: " + secrets.size());
        for (Path log : serviceLogs) {
            if (!Files.exists(log)) {
                continue;
            }
            String text = Files.readString(log);
            for (String secret : secrets) {
                assertFalse(text.contains(secret), log + " holds a secret (" + secret.length() + " characters)");
            }
        }
    }

    /** The base64 body of a private key: what would show if the key were logged. */
    static String keyBody(TestPki.Issued issued) throws Exception {
        String pem = Files.readString(issued.keyPem());
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        Base64.getDecoder().decode(body);
        return body.substring(0, 40);
    }

    static KafkaProducer<String, String> producer() {
        Map<String, Object> p = new HashMap<>(kafka.adminClientSettings());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(App app) {
        Map<String, Object> c = new HashMap<>(kafka.adminClientSettings());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + app.id);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(app.output, app.deadLetter));
        return consumer;
    }
}
