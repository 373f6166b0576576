package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

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
 * A reference for S7's throughput: how long plain clients on one thread, with the service's
 * client settings and no processing at all, take on the same machine to read a whole topic, and
 * to read it and write every record to another topic (as the service writes forecasts and dead
 * letters). It shows what the bytes of the input cost before the service does anything with them.
 */
final class PlainClients {

    /**
     * Seconds to read the topic alone, and to read it and copy every record; the CPU seconds the
     * broker(s) spent serving the reading pass. NaN when a pass failed.
     */
    record Times(double read, double readAndCopy, double readCpuBroker) {
    }

    private PlainClients() {
    }

    /** Both passes; the copy topic is deleted afterwards. A failure gives NaN: the reference must not void the run it accompanies. */
    static Times measure(Lab lab, String topic) {
        BrokerCluster kafka = lab.kafka();
        String copies = topic + "-floor-copies";
        try {
            kafka.createTopic(copies, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
            // (the consumer's own CPU is no reference: this JVM grows its heap for the big records as it reads)
            double broker = kafka.cpuSeconds();
            double read = pass(kafka.bootstrapServers(), topic, null);
            double readCpuBroker = kafka.cpuSeconds() - broker;
            return new Times(read, pass(kafka.bootstrapServers(), topic, copies), readCpuBroker);
        } catch (Exception e) {
            lab.say("the plain clients' reference failed: %s", e);
            return new Times(Double.NaN, Double.NaN, Double.NaN);
        } finally {
            try {
                kafka.admin().deleteTopics(List.of(copies)).all().get();
            } catch (Exception e) {
                lab.say("could not delete %s: %s", copies, e);
            }
        }
    }

    /** Seconds from the first poll until every partition's position reached its end offset (and every copy was acknowledged). */
    private static double pass(String bootstrap, String topic, String copyTo) throws Exception {
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
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = copyTo == null ? null : new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            if (producer != null) {
                producer.partitionsFor(copyTo);
            }
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (!atEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("did not reach the end of " + topic + " in 5 minutes");
                }
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    if (producer != null) {
                        producer.send(new ProducerRecord<>(copyTo, null, r.key(), r.value(), r.headers()), (m, e) -> {
                            if (e != null) {
                                failed.compareAndSet(null, e);
                            }
                        });
                    }
                }
            }
            if (producer != null) {
                producer.flush();
            }
            if (failed.get() != null) {
                throw failed.get();
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
