package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.kafka.RequiredAcls;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SecuredKafkaIT {

    static SecuredKafka kafka;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("secured-kafka");
        kafka = SecuredKafka.start(dir, Path.of("target", "it-logs", "secured-broker.log"));
        kafka.createTopics(Map.of("sec-input", 2, "sec-predictions", 2, "sec-dlq", 1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void experiment() throws Exception {
        String password = io.streamforecaster.kafka.TestPki.password();
        kafka.scramUser("forecaster", password);
        for (var acl : RequiredAcls.of("sec-app", "sec-input", "sec-predictions", "sec-dlq", false)) {
            kafka.grant(acl.bindings("User:forecaster"));
        }
        Path pw = Files.writeString(dir.resolve("password"), password);
        Path wrong = Files.writeString(dir.resolve("wrong"), "wrong");
        Map<String, String> props = TestServices.properties(kafka.saslBootstrap(), "sec-app", Files.createTempDirectory("sec-state"), "sec-input", "sec-predictions", "sec-dlq");
        props.put("forecaster.kafka.security-protocol", "SASL_SSL");
        props.put("forecaster.kafka.sasl.username", "forecaster");
        props.put("forecaster.kafka.sasl.password-file", pw.toString());
        props.put("forecaster.kafka.ssl.truststore.location", kafka.pki().caPem().toString());
        Map<String, String> bad = new HashMap<>(props);
        bad.put("forecaster.kafka.sasl.password-file", wrong.toString());
        bad.put("quarkus.kafka-streams.application-id", "sec-app-bad");
        bad.put("kafka-streams.state.dir", Files.createTempDirectory("sec-bad").toString());
        try (ServiceProcess wrongService = ServiceProcess.start(bad, SecuredKafka.freePort(), Path.of("target", "it-logs", "sec-wrong.log"), List.of("-Xmx512m"));
             ServiceProcess service = TestServices.startReady(props, "sec-scram")) {
            System.out.println("READY " + service.get("/q/health/ready").body());
            await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofSeconds(50)).until(() -> true);
            System.out.println("WRONG " + wrongService.get("/q/health/ready").body());
            assertTrue(wrongService.isAlive());
        }
    }
}
