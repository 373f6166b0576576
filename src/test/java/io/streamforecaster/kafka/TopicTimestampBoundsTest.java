package io.streamforecaster.kafka;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.Test;

/** The bounds a topic's configs put on old timestamps, as Kafka 4 and Kafka 3 brokers report them (TopicTimestampBoundsIT: on a real broker). */
class TopicTimestampBoundsTest {

    static Config config(String type, String beforeMaxMs, String differenceMaxMs) {
        List<ConfigEntry> entries = new java.util.ArrayList<>(List.of(new ConfigEntry("message.timestamp.type", type),
                new ConfigEntry("message.timestamp.before.max.ms", beforeMaxMs)));
        if (differenceMaxMs != null) {
            entries.add(new ConfigEntry(TopicTimestampBounds.DIFFERENCE_MAX_MS, differenceMaxMs));
        }
        return new Config(entries);
    }

    @Test
    void shouldNameTheOlderBoundAKafka3BrokerAppliesWhenBeforeMaxMsIsUnset() {
        String warning = TopicTimestampBounds.warning("old-broker-output", config("CreateTime", Long.toString(Long.MAX_VALUE), "86400000"));
        assertTrue(warning != null && warning.contains("message.timestamp.difference.max.ms = 86400000"), String.valueOf(warning));
        assertTrue(warning.startsWith("Topic old-broker-output refuses records whose timestamp is more than PT24H old"), warning);
    }

    @Test
    void shouldSayNothingWithoutABoundOrWithLogAppendTime() {
        assertNull(TopicTimestampBounds.warning("t", config("CreateTime", Long.toString(Long.MAX_VALUE), Long.toString(Long.MAX_VALUE))));
        assertNull(TopicTimestampBounds.warning("t", config("CreateTime", Long.toString(Long.MAX_VALUE), null)), "a Kafka 4 broker");
        assertNull(TopicTimestampBounds.warning("t", config("LogAppendTime", "3600000", "3600000")));
    }
}
