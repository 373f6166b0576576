package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts the packaged service for the integration tests, on a broker they started. */
public final class TestServices {

    private TestServices() {
    }

    /** The settings every integration test gives: broker, application id, state directory and topics. */
    public static Map<String, String> properties(String bootstrap, String applicationId, Path stateDir,
                                                 String input, String output, String deadLetter) {
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.kafka-streams.bootstrap-servers", bootstrap);
        props.put("quarkus.kafka-streams.application-id", applicationId);
        props.put("kafka-streams.state.dir", stateDir.toString());
        props.put("forecaster.topics.input", input);
        props.put("forecaster.topics.output", output);
        props.put("forecaster.topics.dead-letter", deadLetter);
        props.put("forecaster.training.check-interval", "500ms");
        return props;
    }

    /** Starts the service on a free port, logging to target/it-logs/{logName}.log, and waits until it is ready. */
    public static ServiceProcess startReady(Map<String, String> properties, String logName) throws Exception {
        return startReady(properties, Map.of(), logName);
    }

    /** As {@link #startReady(Map, String)}, with these environment variables (secrets never go on the command line). */
    public static ServiceProcess startReady(Map<String, String> properties, Map<String, String> environment, String logName) throws Exception {
        ServiceProcess service = start(properties, environment, logName);
        await().alias("service ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertTrue(service.isAlive(), "service exited; see " + service.log());
            return service.isReady();
        });
        return service;
    }

    /** Starts the service on a free port without waiting for it. */
    public static ServiceProcess start(Map<String, String> properties, Map<String, String> environment, String logName) throws Exception {
        int port = ServiceProcess.freePort();
        return ServiceProcess.start(properties, environment, port, Path.of("target", "it-logs", logName + ".log"), List.of("-Xmx1g"));
    }
}
