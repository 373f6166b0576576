package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.stream.DeadLetter;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rejected record whose dead letter (its value and the headers that say why) would be larger
 * than the service's producer may send: under exactly-once a refused write aborts the transaction,
 * the record is read again and refused again, and the partition stalls while stream threads die.
 * The dead letter must fit, and say what it left out; the key's good records go on.
 */
class DeadLetterSizeIT {

    static final String INPUT = "size-input";
    static final String OUTPUT = "size-predictions";
    static final String DLQ = "size-dlq";
    static final int MAX_REQUEST = 65_536;
    static final int N_STEPS = 12; // the default

    static LocalKafka kafka;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 1, OUTPUT, 1, DLQ, 1));
        Map<String, String> p = TestServices.properties(kafka.bootstrapServers(), "size-it", Files.createTempDirectory("size-it"), INPUT, OUTPUT, DLQ);
        p.put("kafka-streams.processing.guarantee", "exactly_once_v2");
        p.put("kafka-streams.commit.interval.ms", "100");
        p.put("kafka-streams.producer.max.request.size", Integer.toString(MAX_REQUEST));
        service = TestServices.startReady(p, "dead-letter-size");
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldDeadLetterARecordTooLargeToCopyWholeAndGoOnWithTheKey() throws Exception {
        byte[] huge = new byte[MAX_REQUEST + 10_000];
        Arrays.fill(huge, (byte) '7');
        int good = 30;
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576);
        try (var producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(INPUT, key, huge)).get();
            for (int i = 0; i < good; i++) {
                producer.send(new ProducerRecord<>(INPUT, key, Double.toString(i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "size-reader");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> forecasts = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(OUTPUT, DLQ));
            await().alias("every good record's forecast and the dead letter, committed").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                        for (var r : consumer.poll(Duration.ofMillis(200))) {
                            (r.topic().equals(OUTPUT) ? forecasts : deadLetters).add(r);
                        }
                        assertTrue(service.isAlive(), "the service exited; see " + service.log());
                        assertEquals(good - (N_STEPS - 1), forecasts.size(), "a forecast for every good record but the first n-steps - 1");
                        assertEquals(1, deadLetters.size(), "dead letters");
                    });
        }
        ConsumerRecord<byte[], byte[]> dl = deadLetters.get(0);
        assertEquals("too-large", header(dl, DeadLetter.REASON));
        assertEquals(Integer.toString(huge.length), header(dl, DeadLetter.TRUNCATED_FROM), "says how long the value was");
        assertEquals("0", header(dl, DeadLetter.SOURCE_OFFSET), "and where the whole record is");
        assertTrue(dl.value().length < MAX_REQUEST && dl.value().length > 0, "the value's start: " + dl.value().length + " bytes");
        assertEquals('7', (char) dl.value()[0]);
        var metrics = service.get("/q/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("forecaster_stream_threads_replaced_total") && l.endsWith(" 0.0")),
                "no stream thread died: " + metrics.lines().filter(l -> l.startsWith("forecaster_stream_threads")).toList());
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
