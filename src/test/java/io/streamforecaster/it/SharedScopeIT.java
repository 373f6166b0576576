package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code forecaster.model.scope=shared} end to end on a real broker: the partition's model is
 * trained on its keys' windows, and a key that appears afterwards gets LSTM forecasts from its
 * first one on, with no model of its own.
 */
class SharedScopeIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aNewKeyGetsLstmForecastsAtOnce() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(null)) {
            kafka.createTopics(Map.of("shared-input", 1, "shared-predictions", 1, "shared-dlq", 1));
            Map<String, String> props = new HashMap<>();
            props.put("quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers());
            props.put("quarkus.kafka-streams.application-id", "shared-it");
            props.put("kafka-streams.state.dir", Files.createTempDirectory("shared-it-state").toString());
            props.put("forecaster.topics.input", "shared-input");
            props.put("forecaster.topics.output", "shared-predictions");
            props.put("forecaster.topics.dead-letter", "shared-dlq");
            props.put("forecaster.model.scope", "shared");
            props.put("forecaster.training.min-observations", "200");
            props.put("forecaster.training.epochs", "30");
            props.put("forecaster.training.check-interval", "500ms");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "shared-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (ServiceProcess service = ServiceProcess.start(props, port, Path.of("target", "it-logs", "shared.log"), List.of("-Xmx1g"));
                 var producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
                 var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                await().alias("service ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    assertTrue(service.isAlive(), "service exited; see " + service.log());
                    return service.isReady();
                });
                SeriesGenerator g = new SeriesGenerator(4, 3);
                for (int i = 0; i < 100; i++) {
                    for (int k = 0; k < 3; k++) {
                        producer.send(new ProducerRecord<>("shared-input", g.key(k), Double.toString(g.next(k))));
                    }
                }
                producer.flush();
                String trainedOn = g.key(0);
                await().alias("the partition's shared model").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> service.get("/series/" + trainedOn + "/model").status() == 200);
                JsonNode model = JSON.readTree(service.get("/series/" + trainedOn + "/model").body());
                assertEquals("shared", model.get("scope").asText());

                String newKey = g.key(3); // never seen before the model was trained
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>("shared-input", newKey, Double.toString(g.next(3))));
                }
                producer.flush();
                consumer.subscribe(List.of("shared-predictions"));
                List<JsonNode> forecasts = new ArrayList<>();
                await().alias("forecasts of the new key").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (var r : consumer.poll(Duration.ofMillis(300))) {
                        if (r.key().equals(newKey)) {
                            forecasts.add(JSON.readTree(r.value()));
                        }
                    }
                    assertEquals(20 - 11, forecasts.size(), "one per observation from the 12th (n-steps) on");
                });
                JsonNode first = forecasts.get(0);
                assertEquals("lstm", first.get("source").asText(), "the new key's very first forecast: " + first);
                assertTrue(first.get("modelVersion").asLong() >= 1);
                assertEquals(200, service.get("/series/" + newKey + "/model").status(), "the shared model answers for the new key too");
            }
        }
    }
}
