package io.streamforecaster.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class InputPartitionerTest {

    @Test
    void shouldPartitionAsLibrdkafkaDoesWithCrc32() {
        // CRC-32 of "123456789" is 0xCBF43926 = 3421780262 (the standard check value)
        assertEquals(3421780262L % 4, InputPartitioner.CRC32.partition("123456789", 4));
        assertEquals(3421780262L % 7, InputPartitioner.CRC32.partition("123456789", 7));
    }

    @Test
    void shouldPartitionAsTheJavaClientDoesWithMurmur2() {
        for (String key : new String[] {"a", "host-1.cpu", "caf\u00e9", "\u6e29\u5ea6", "x".repeat(300)}) {
            for (int n : new int[] {1, 2, 4, 12}) {
                assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), n),
                        InputPartitioner.MURMUR2.partition(key, n), key + " over " + n);
            }
        }
    }
}
