package io.streamforecaster.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * How the producers of the input topic choose a key's partition, so that a key's instance can be
 * found straight away: the Java client's murmur2, or CRC32 as librdkafka-based clients do by
 * default (kcat, confluent-kafka for Python, Go and .NET, node-rdkafka: {@code consistent_random}).
 * Keys are found wherever they are either way; the right partitioner saves a search.
 */
public enum InputPartitioner {
    MURMUR2,
    CRC32;

    /** The partition this partitioner gives {@code key} among {@code partitions}. */
    public int partition(String key, int partitions) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (this == MURMUR2) {
            return Utils.toPositive(Utils.murmur2(bytes)) % partitions;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) (crc.getValue() % partitions); // librdkafka: rd_crc32(key) % partition_cnt, unsigned
    }

    /** For Kafka Streams' key metadata. */
    public StreamPartitioner<String, Object> streamPartitioner() {
        return (topic, key, value, partitions) -> Optional.of(Set.of(partition(key, partitions)));
    }
}
