package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
            Map<String, String> props = TestServices.properties(kafka.bootstrapServers(), "shared-it",
                    Files.createTempDirectory("shared-it-state"), "shared-input", "shared-predictions", "shared-dlq");
            props.put("forecaster.model.scope", "shared");
            props.put("forecaster.training.min-observations", "200");
            props.put("forecaster.training.epochs", "30");
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "shared-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (ServiceProcess service = TestServices.startReady(props, "shared");
                 var producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
                 var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
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
