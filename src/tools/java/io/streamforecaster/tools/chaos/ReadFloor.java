package io.streamforecaster.tools.chaos;

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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor under S7's throughput: how long plain clients, with the settings the service's stream
 * thread uses and no processing at all, take on the same machine to read a whole topic, and to
 * read it and write every record to another topic as the service writes forecasts and dead
 * letters. Whatever the service does with the records, it cannot go below these.
 */
final class ReadFloor {

    /** Seconds to read the topic alone, and to read it and copy every record. */
    record Times(double read, double readAndCopy) {
    }

    private ReadFloor() {
    }

    static Times measure(BrokerCluster kafka, String topic) throws Exception {
        String copies = topic + "-floor-copies";
        kafka.createTopic(copies, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        return new Times(pass(kafka.bootstrapServers(), topic, null), pass(kafka.bootstrapServers(), topic, copies));
    }

    /** Seconds from the first poll until every record up to the topic's end offsets was read (and copied and acknowledged). */
    private static double pass(String bootstrap, String topic, String copyTo) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // as Kafka Streams sets it for its consumers; the fetch sizes are the clients' defaults, as in the service
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // the service's producer settings (application.properties) and the chaos runs' request size
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = copyTo == null ? null : new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long target = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            if (producer != null) {
                producer.partitionsFor(copyTo);
            }
            long read = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (read < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + read + " of " + target + " records of " + topic + " in 5 minutes");
                }
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    read++;
                    if (producer != null) {
                        producer.send(new ProducerRecord<>(copyTo, r.key(), r.value()));
                    }
                }
            }
            if (producer != null) {
                producer.flush();
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
