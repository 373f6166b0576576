package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    static TrainingPool pool() {
        var settings = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);
        return new TrainingPool(settings, Executors.newSingleThreadExecutor(), 2, (s, h, p, o, n) -> null, System::currentTimeMillis);
    }

    @Test
    void shouldCloseKafkaStreamsBeforeTheTrainingPool() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "shutdown-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/shutdown-test-" + System.nanoTime());
        TrainingPool pool = pool();
        SafetyNetProducers.closeAll(Duration.ZERO);
        var deadLetters = new DeadLetterHandlers(Map.of("bootstrap.servers", "localhost:1")).producer(); // a handler sent a dead letter
        List<Boolean> poolClosedWhenStreamsStopped = new ArrayList<>();
        List<Integer> producersOpenWhenStreamsStopped = new ArrayList<>();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.setStateListener((to, from) -> {
                // PENDING_SHUTDOWN is announced on the closing thread, before close() waits; NOT_RUNNING
                // is announced on Kafka Streams' shutdown thread, possibly after close() has returned
                if (to == KafkaStreams.State.PENDING_SHUTDOWN) {
                    poolClosedWhenStreamsStopped.add(pool.isClosed());
                    producersOpenWhenStreamsStopped.add(SafetyNetProducers.open());
                }
            });

            Shutdown.stop(streams, Duration.ofSeconds(10), pool);

            assertEquals(KafkaStreams.State.NOT_RUNNING, streams.state());
        }
        assertFalse(poolClosedWhenStreamsStopped.isEmpty());
        assertFalse(poolClosedWhenStreamsStopped.contains(true), "the pool was closed before Kafka Streams stopped");
        assertTrue(pool.isClosed());
        assertEquals(List.of(1), producersOpenWhenStreamsStopped, "the handlers' producer stays open while their stream threads stop");
        assertEquals(0, SafetyNetProducers.open());
        DeadLetterHandlersTest.assertClosed(deadLetters);
    }

    @Test
    void shouldRefuseJobsOnceClosedInsteadOfThrowing() {
        TrainingPool pool = pool();
        pool.close();
        assertFalse(pool.trySubmit(new TrainingPool.Job("k", new double[][] {{1}}, null, 1, r -> { })));
        assertEquals(0, pool.pending());
    }
}
