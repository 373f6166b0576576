package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.kafka.KafkaClientSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safety-net producer is made with the same credentials as every other client of the service. */
class DeadLetterHandlersTest {

    @TempDir
    Path dir;

    @Test
    void theSafetyNetProducerGetsEveryKafkaSecuritySettingItIsConfiguredWith() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "secret");
        Map<String, String> settings = Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "u",
                KafkaClientSecurity.PASSWORD + "-file", password.toString());
        Map<String, String> security = KafkaClientSecurity.clientProperties(n -> settings.containsKey(n)
                ? new KafkaClientSecurity.Setting(settings.get(n), "EnvConfigSource") : null);
        // what Kafka Streams hands the exception handlers: its whole configuration
        Map<String, Object> streamsConfig = new HashMap<>(security);
        streamsConfig.put("bootstrap.servers", "broker:9093");
        streamsConfig.put("ssl.endpoint.identification.algorithm", "https");
        streamsConfig.put("application.id", "app");
        DeadLetterHandlers handlers = new DeadLetterHandlers(streamsConfig);
        for (var e : security.entrySet()) {
            assertEquals(e.getValue(), handlers.producerConfig().get(e.getKey()), e.getKey());
        }
        assertEquals("https", handlers.producerConfig().get("ssl.endpoint.identification.algorithm"));
        assertEquals("broker:9093", handlers.producerConfig().get("bootstrap.servers"));
    }

    /**
     * An operator sets the stream's producers with the {@code producer.} prefix (the README's
     * {@code kafka-streams.producer.max.request.size}): the safety-net producer must take them too,
     * over the unprefixed ones, as Kafka Streams' own producers do, or a dead letter the stream's
     * producer could write is refused by the safety net's.
     */
    @Test
    void theSafetyNetProducerTakesTheStreamsProducerPrefixedSettings() {
        Map<String, Object> streamsConfig = new HashMap<>();
        streamsConfig.put("bootstrap.servers", "broker:9092");
        streamsConfig.put("max.request.size", 2_000_000);
        streamsConfig.put("producer.max.request.size", 5_000_000);
        streamsConfig.put("producer.compression.type", "zstd");
        streamsConfig.put("consumer.max.poll.records", 10);
        streamsConfig.put("producer.transactional.id", "not-for-the-safety-net");

        Map<String, Object> producer = new DeadLetterHandlers(streamsConfig).producerConfig();

        assertEquals(5_000_000, producer.get("max.request.size"));
        assertEquals("zstd", producer.get("compression.type"));
        assertEquals("broker:9092", producer.get("bootstrap.servers"));
        assertTrue(!producer.containsKey("max.poll.records") && !producer.containsKey("transactional.id"), producer.toString());
    }

    /**
     * Kafka Streams makes new exception handlers for every task it creates (each rebalance, each
     * replaced thread) and never closes them: each used to open a producer of its own, left open.
     */
    @Test
    void everyHandlerSharesOneSafetyNetProducerUntilTheServiceStops() {
        Map<String, Object> streamsConfig = Map.of("bootstrap.servers", "localhost:1", "application.id", "app");
        SafetyNetProducers.closeAll(Duration.ZERO);
        try {
            var first = new DeadLetterHandlers(streamsConfig).producer();
            for (int task = 0; task < 5; task++) {
                assertSame(first, new DeadLetterHandlers(new HashMap<>(streamsConfig)).producer());
            }
            assertEquals(1, SafetyNetProducers.open());
            assertNotSame(first, new DeadLetterHandlers(Map.of("bootstrap.servers", "localhost:2")).producer(), "another cluster, another producer");
            assertEquals(2, SafetyNetProducers.open());

            SafetyNetProducers.closeAll(Duration.ZERO);
            assertEquals(0, SafetyNetProducers.open());
            assertClosed(first);
            assertNotSame(first, new DeadLetterHandlers(streamsConfig).producer(), "a closed producer is not handed out again");
        } finally {
            SafetyNetProducers.closeAll(Duration.ZERO);
        }
    }

    @Test
    void closesEveryProducerWhateverBecameOfTheOthers() {
        SafetyNetProducers.closeAll(Duration.ZERO);
        List<String> asked = new ArrayList<>();
        for (String cluster : List.of("a:1", "b:1")) {
            SafetyNetProducers.of(Map.<String, Object>of("bootstrap.servers", cluster), c -> new org.apache.kafka.clients.producer.MockProducer<byte[], byte[]>() {
                @Override
                public void close(Duration timeout) {
                    asked.add(cluster);
                    throw new org.apache.kafka.common.KafkaException("could not close");
                }
            });
        }

        SafetyNetProducers.closeAll(Duration.ZERO);

        assertEquals(2, asked.size(), "each is closed whatever became of the other: " + asked);
        assertEquals(0, SafetyNetProducers.open());
    }

    static void assertClosed(org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer) {
        var e = assertThrows(IllegalStateException.class,
                () -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("dlq", new byte[] {1})));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
