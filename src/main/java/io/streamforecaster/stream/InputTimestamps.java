package io.streamforecaster.stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The input's timestamps. A record without a valid one (negative: some clients write -1 for "none",
 * and the broker lets a CreateTime record carry it) is stamped with its partition's latest timestamp,
 * or the current time before the partition has one, and processed; a {@code "timestamp"} in its value
 * still takes precedence. Kafka Streams' default extractor throws on it instead, before any of the
 * service's code: the thread died, and every replacement died on the same record.
 */
public final class InputTimestamps implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ts = record.timestamp();
        if (ts >= 0) {
            return ts;
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
