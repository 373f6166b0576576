package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InputSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.model.Variant;
import io.streamforecaster.state.SeriesStateCodec;
import io.streamforecaster.serving.ServingSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForecastTopologyTest {

    static final int N_STEPS = 3;
    static final int HISTORY = 16;
    static final Duration CHECK = Duration.ofSeconds(1);
    static final Duration INTERVAL = Duration.ofSeconds(60);

    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> input;
    TestOutputTopic<byte[], byte[]> output;
    TestOutputTopic<byte[], byte[]> deadLetters;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TrainingPool pool;
    MemoryBudget budget = MemoryBudget.unlimited();
    java.util.function.Function<TrainingPool, ForecasterMetrics> metricsOf = p -> new ForecasterMetrics(registry, p::pending);

    static StreamSettings settings(ColdStart coldStart, int nFeatures) {
        var training = new TrainingSettings(Variant.VANILLA, N_STEPS, nFeatures, 4, 20, 5, 0.01, 1, 1.0, 0);
        return new StreamSettings("in", "out", "dlq", HISTORY, coldStart, 8, 4, INTERVAL, CHECK, 50, new InputSettings(256, 256, 1e150), training,
                ServingSettings.defaults(), ModelScope.PER_KEY, 256);
    }

    void start(StreamSettings s, Executor executor, int capacity, TrainingPool.TrainFunction trainer) {
        pool = new TrainingPool(s.training(), executor, capacity, trainer, System::currentTimeMillis);
        var metrics = metricsOf.apply(pool);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(TopologyProducer.build(s, metrics, pool, budget), props, Instant.ofEpochMilli(System.currentTimeMillis()));
        input = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    void start(StreamSettings s) {
        start(s, Runnable::run, 2, Trainer::train);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    void send(String key, String value) {
        input.pipeInput(key == null ? null : bytes(key), value == null ? null : bytes(value));
    }

    void sendSeries(String key, int from, int count) {
        for (int i = from; i < from + count; i++) {
            send(key, Double.toString(100 + 10 * Math.sin(i / 3.0)));
        }
    }

    SeriesStore seriesStore() {
        return (SeriesStore) driver.getAllStateStores().get(Stores.SERIES); // getStateStore refuses key-value stores
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    double counter(String name, String tag, String value) {
        var c = registry.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void shouldKeepOnlyTheLastHistorySizeObservationsPerKey() {
        start(settings(ColdStart.NAIVE, 1));
        for (int i = 0; i < 40; i++) {
            send("a", Integer.toString(i));
        }
        send("b", "7");

        SeriesStore store = seriesStore();
        SeriesState a = store.get("a");
        assertEquals(HISTORY, a.history().size());
        assertEquals(40, a.history().observations());
        for (int i = 0; i < HISTORY; i++) {
            assertEquals(40 - HISTORY + i, a.history().value(i, 0));
        }
        assertEquals(1, store.get("b").history().size());
    }

    @Test
    void shouldRouteEveryRejectReasonToTheDeadLetterTopicWithTheOriginalBytes() {
        start(settings(ColdStart.NAIVE, 1));
        List<String[]> bad = List.of(
                new String[] {null, "1.0", "null-key"},
                new String[] {"k", "", "empty-value"},
                new String[] {"k", "   ", "empty-value"},
                new String[] {"k", "abc", "not-a-number"},
                new String[] {"k", "{\"value\": \"x\"}", "not-a-number"},
                new String[] {"k", "{\"value\": 1", "not-a-number"},
                new String[] {"k", "{\"other\": 1}", "not-a-number"},
                new String[] {"k", "NaN", "non-finite"},
                new String[] {"k", "-Infinity", "non-finite"},
                new String[] {"k", "1e999", "non-finite"},
                new String[] {"k", "{\"values\": [1, 2]}", "wrong-dimension"},
                new String[] {"k", "1".repeat(300), "too-large"},
                new String[] {"k", "{\"value\": 1, \"timestamp\": \"yesterday\"}", "invalid-timestamp"});
        for (String[] b : bad) {
            send(b[0], b[1]);
            send("good", "5");
        }

        List<TestRecord<byte[], byte[]>> dlq = deadLetters.readRecordsToList();
        assertEquals(bad.size(), dlq.size());
        for (int i = 0; i < bad.size(); i++) {
            var r = dlq.get(i);
            assertEquals(bad.get(i)[2], header(r, DeadLetter.REASON), "reason of " + bad.get(i)[1]);
            assertArrayEquals(bad.get(i)[1] == null ? null : bytes(bad.get(i)[1]), r.value());
            assertArrayEquals(bad.get(i)[0] == null ? null : bytes(bad.get(i)[0]), r.key());
            assertEquals("in", header(r, DeadLetter.SOURCE_TOPIC));
            assertEquals("0", header(r, DeadLetter.SOURCE_PARTITION));
            assertEquals(Integer.toString(2 * i), header(r, DeadLetter.SOURCE_OFFSET));
            assertTrue(!header(r, DeadLetter.MESSAGE).isBlank());
        }
        assertEquals(2, counter("forecaster.rejected", "reason", "empty-value"));
        assertEquals(4, counter("forecaster.rejected", "reason", "not-a-number"));
        assertEquals(1, counter("forecaster.rejected", "reason", "too-large"));
        assertEquals(bad.size(), seriesStore().get("good").history().size());
        assertNull(seriesStore().get("k"));
    }

    @Test
    void shouldDeadLetterAnInvalidTimestampBeforeTheKeysHistoryChanges() {
        start(settings(ColdStart.NAIVE, 1));
        sendSeries("k", 0, 5);
        output.readRecordsToList();
        String[] bad = {"{\"value\": 1, \"timestamp\": -1}", "{\"value\": 2, \"timestamp\": \"1960-01-01T00:00:00Z\"}",
            "{\"value\": 3, \"timestamp\": 18446744073709551616}", "{\"value\": 4, \"timestamp\": \"+20000-01-01T00:00:00Z\"}"};
        for (String value : bad) {
            send("k", value);
        }

        var dlq = deadLetters.readRecordsToList();
        assertEquals(bad.length, dlq.size());
        for (var r : dlq) {
            assertEquals("invalid-timestamp", header(r, DeadLetter.REASON));
        }
        assertEquals(0, counter("forecaster.rejected", "reason", "processing-error"));
        assertTrue(output.isEmpty(), "no forecast for a rejected record");
        SeriesState s = seriesStore().get("k");
        assertEquals(5, s.history().observations(), "history untouched");
        assertEquals(5, s.history().size());
    }

    @Test
    void shouldKeepEveryGaugeFiniteWithTheMostExtremeValuesAccepted() {
        start(settings(ColdStart.NAIVE, 1));
        send("far", "1e308"); // once appended, then -1e308 made the naive error infinite for good
        send("far", "-1e308");
        for (int i = 0; i < 30; i++) {
            send("far", i % 2 == 0 ? "1e150" : "-1e150");
        }
        assertEquals(2, counter("forecaster.rejected", "reason", "out-of-range"));
        assertEquals(30, seriesStore().get("far").history().observations());
        for (var meter : registry.getMeters()) {
            if (meter instanceof io.micrometer.core.instrument.Gauge g) {
                assertTrue(Double.isFinite(g.value()), meter.getId() + " reads " + g.value());
            }
        }
        assertTrue(registry.find("forecaster.accuracy.naive.mae").gauge() != null, "the naive error was scored");
    }

    @Test
    void shouldDeadLetterInvalidKeysWithTheirOriginalBytes() {
        start(settings(ColdStart.NAIVE, 1));
        byte[][] keys = {{}, {(byte) 0xC3, (byte) 0x28}, {(byte) 0xC3, (byte) 0x29}, bytes("k".repeat(257)), bytes("\u0000shared")};
        for (byte[] key : keys) {
            input.pipeInput(key, bytes("1"));
        }
        send("good", "1");

        var dlq = deadLetters.readRecordsToList();
        assertEquals(keys.length, dlq.size());
        for (int i = 0; i < keys.length; i++) {
            assertEquals("invalid-key", header(dlq.get(i), DeadLetter.REASON));
            assertArrayEquals(keys[i], dlq.get(i).key());
        }
        // two keys that differ only in invalid bytes were not merged into one series named with a replacement character
        assertNull(seriesStore().get("\uFFFD("));
        assertNull(seriesStore().get("\uFFFD)"));
        assertEquals(1, seriesStore().get("good").history().size());
    }

    @Test
    void shouldAcceptEveryContractFormatAndLetTheValueOverrideTheTimestamp() {
        start(settings(ColdStart.NAIVE, 1));
        send("k", "42.5");
        send("k", " -1e3 ");
        send("k", "{\"value\": 7}");
        send("k", "{\"values\": [8.5], \"timestamp\": 1700000000000}");
        send("k", "{\"value\": 9, \"timestamp\": \"2024-01-02T03:04:05Z\"}");

        assertTrue(deadLetters.isEmpty());
        SeriesState s = seriesStore().get("k");
        assertArrayEquals(new double[][] {{42.5}, {-1000}, {7}, {8.5}, {9}}, s.history().rows());
        var forecasts = output.readRecordsToList();
        assertEquals(3, forecasts.size());
        assertEquals(1700000000000L, Forecast.fromJson(forecasts.get(1).value()).timestamp());
        assertEquals(Instant.parse("2024-01-02T03:04:05Z").toEpochMilli(), Forecast.fromJson(forecasts.get(2).value()).timestamp());
    }

    /**
     * A forecast record carries its input record's timestamp, which the broker took; the value's
     * "timestamp" (in its body) may be one the broker refuses (more than an hour ahead of its clock,
     * by default), and a refused forecast took the other forecasts of its batch with it.
     */
    @Test
    void shouldStampForecastsWithTheInputRecordsTimestamp() {
        start(settings(ColdStart.NAIVE, 1));
        long far = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
        long now = System.currentTimeMillis();
        for (int i = 0; i < N_STEPS; i++) {
            input.pipeInput(bytes("k"), bytes("{\"value\": " + i + ", \"timestamp\": " + (far + i) + "}"), now + i);
        }
        var forecasts = output.readRecordsToList();
        assertEquals(1, forecasts.size());
        assertEquals(now + N_STEPS - 1, forecasts.get(0).timestamp(), "the input record's");
        assertEquals(far + N_STEPS - 1, Forecast.fromJson(forecasts.get(0).value()).timestamp(), "the observation's, in the body");
    }

    /**
     * A write to Kafka that fails is not the record's fault: the processor lets the failure through
     * (to the stream thread, whose tasks resume from the last commit) instead of dead-lettering the
     * record as a processing-error and committing past the lost output. Here the forecast's
     * serialization fails at once; in production a delivery timeout, a lost ACL or a fenced producer
     * is reported the same way, as a KafkaException at a later send.
     */
    @Test
    void shouldFailTheThreadWhenAWriteToKafkaFails() {
        StreamSettings s = settings(ColdStart.NAIVE, 1);
        pool = new TrainingPool(s.training(), Runnable::run, 2, Trainer::train, System::currentTimeMillis);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        org.apache.kafka.common.serialization.Serializer<byte[]> refusing = (topic, value) -> {
            throw new org.apache.kafka.common.errors.SerializationException("the broker is gone");
        };
        driver = new TopologyTestDriver(TopologyProducer.build(s, new ForecasterMetrics(registry, pool::pending), pool, budget, refusing, RecordSizes.KAFKA_DEFAULT_MAX_REQUEST), props);
        input = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
        deadLetters = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (int i = 0; i < N_STEPS - 1; i++) {
            send("k", String.valueOf(i));
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.streams.errors.StreamsException.class, () -> send("k", "99"));
        assertTrue(deadLetters.isEmpty(), "no dead letter hides it: " + e);
    }

    /**
     * A record gets its outputs or a dead letter, never both, and a key's metrics are observability
     * only: when they cannot be recorded (a registry can refuse a meter) the forecast is still
     * written, nothing is dead-lettered, and the key is still trained.
     */
    @Test
    void shouldWriteTheForecastAndTrainTheKeyWhenItsMetricsCannotBeRecorded() {
        metricsOf = p -> new ForecasterMetrics(registry, p::pending) {
            @Override
            public void series(String task, String key, double actual, double forecast, double lower, double upper, double mae, double naiveMae) {
                if (key.equals("refused")) {
                    throw new IllegalArgumentException("the registry refuses this meter");
                }
                super.series(task, key, actual, forecast, lower, upper, mae, naiveMae);
            }

            @Override
            public void anomalyScored(String key, double score, boolean anomaly) {
                if (key.equals("refused")) {
                    throw new IllegalArgumentException("the registry refuses this meter too");
                }
                super.anomalyScored(key, score, anomaly);
            }
        };
        start(settings(ColdStart.NAIVE, 1));
        sendSeries("refused", 0, 8); // forecasts from its n-steps-th value; enough for a first model
        sendSeries("fine", 0, N_STEPS);

        assertTrue(deadLetters.isEmpty(), "nothing is dead-lettered");
        var keys = output.readRecordsToList().stream().map(r -> Forecast.fromJson(r.value()).key()).toList();
        assertEquals(8 - N_STEPS + 1, keys.stream().filter("refused"::equals).count(), "every forecast of the key is written");
        assertEquals(1, keys.stream().filter("fine"::equals).count());
        assertEquals(keys.size(), counter("forecaster.predictions", "source", "naive"), "the instance's meters count the key's forecasts");
        driver.advanceWallClockTime(CHECK); // hands it out; the direct executor trains at once
        driver.advanceWallClockTime(CHECK);
        assertNotNull(driver.getKeyValueStore(Stores.MODELS).get("refused"), "the key is trained all the same");
    }

    /**
     * Keys that wait for a full pool get the slots freed between two punctuations: the training
     * threads no longer sit idle until the next check interval (at most threads + queue-capacity
     * models per interval, however fast a model trains).
     */
    @Test
    void shouldHandOutWaitingKeysAsSoonAsThePoolHasRoomAgain() {
        java.util.Queue<Runnable> queued = new java.util.ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1), queued::add, 2, Trainer::train);
        for (int k = 0; k < 6; k++) {
            sendSeries("key-" + k, 0, 8); // enough for a first model
        }
        driver.advanceWallClockTime(CHECK); // the punctuation: two keys to the pool, which is then full
        assertEquals(2, queued.size());
        while (!queued.isEmpty()) {
            queued.poll().run(); // they train; their slots are free again
        }
        driver.advanceWallClockTime(ForecastProcessor.REFILL_INTERVAL); // long before the next punctuation
        assertEquals(2, queued.size(), "the next keys were handed out as soon as the pool had room");
        KeyValueStore<String, byte[]> models = driver.getKeyValueStore(Stores.MODELS);
        long trained = java.util.stream.IntStream.range(0, 6).filter(k -> models.get("key-" + k) != null).count();
        assertEquals(2, trained, "and the finished models were taken back");
        driver.advanceWallClockTime(ForecastProcessor.REFILL_INTERVAL);
        assertEquals(2, queued.size(), "nothing more while the pool is full");
    }

    /**
     * How long the key that has waited longest for a first model has waited: what tells a backlog
     * that does not move from a steady flow of new keys that each get their model soon.
     */
    @Test
    void shouldReportHowLongTheOldestKeyHasWaitedForAFirstModel() {
        java.util.Queue<Runnable> queued = new java.util.ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1), queued::add, 1, Trainer::train);
        sendSeries("first", 0, 8);
        sendSeries("second", 0, 8);
        driver.advanceWallClockTime(CHECK); // "first" to the pool, which is then full; "second" waits
        assertEquals(1, queued.size());
        for (int i = 0; i < 5; i++) {
            driver.advanceWallClockTime(CHECK);
        }
        double waited = registry.get("forecaster.keys.awaiting.model.oldest").gauge().value();
        assertTrue(waited >= 5 * CHECK.toSeconds() && waited < 60, "waited " + waited + " s");
        assertEquals(1, registry.get("forecaster.keys.awaiting.model").gauge().value());

        queued.poll().run();
        driver.advanceWallClockTime(CHECK); // "first" has its model; "second" goes to the pool
        queued.poll().run();
        driver.advanceWallClockTime(CHECK);
        assertEquals(0, registry.get("forecaster.keys.awaiting.model.oldest").gauge().value(), "no key waits");
    }

    /**
     * A training the closing pool stopped (the service stopping while Kafka Streams' close ran long)
     * is no failed training: the failures counter and its alert are for models that could not be trained.
     */
    @Test
    void shouldNotCountATrainingThePoolStoppedAsFailed() {
        start(settings(ColdStart.NAIVE, 1), Runnable::run, 1, (s, h, p, o, n) -> {
            pool.close(); // the service stops: the pool closes and interrupts its trainings
            throw new java.util.concurrent.CancellationException("Training interrupted: the training pool is closing");
        });
        sendSeries("stopped", 0, 8);
        driver.advanceWallClockTime(CHECK); // handed out; stopped at once
        driver.advanceWallClockTime(CHECK); // the result is taken back
        assertEquals(0, counter("forecaster.training.runs", "outcome", "failed"));
        assertNull(driver.getKeyValueStore(Stores.MODELS).get("stopped"));
    }

    /** A cancellation from anything but the closing pool is a failed training like any other. */
    @Test
    void shouldCountACancelledTrainingAsFailedWhileThePoolIsOpen() {
        start(settings(ColdStart.NAIVE, 1), Runnable::run, 1, (s, h, p, o, n) -> {
            throw new java.util.concurrent.CancellationException("cancelled by something else");
        });
        sendSeries("cancelled", 0, 8);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, counter("forecaster.training.runs", "outcome", "failed"));
    }

    /** A key whose first trainings keep failing waits on: its retries do not restart the wait the gauge (and the alert) see. */
    @Test
    void shouldKeepCountingTheWaitOfAKeyWhoseFirstModelKeepsFailing() {
        start(settings(ColdStart.NAIVE, 1), Runnable::run, 1, (s, h, p, o, n) -> {
            throw new IllegalStateException("no model today");
        });
        sendSeries("failing", 0, 8);
        driver.advanceWallClockTime(CHECK); // handed out; fails at once
        driver.advanceWallClockTime(CHECK); // the failure is taken back: retried after training.interval
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK); // handed out again, fails again
        driver.advanceWallClockTime(CHECK);
        assertEquals(2, counter("forecaster.training.runs", "outcome", "failed"));
        double waited = registry.get("forecaster.keys.awaiting.model.oldest").gauge().value();
        assertTrue(waited >= INTERVAL.toSeconds(), "it has waited since its first ask: " + waited + " s");
    }

    /**
     * A key whose first training failed is retried behind the keys that asked after it: the gauge
     * read the wait of the first key in line, a younger one, and so under-reported the oldest wait.
     */
    @Test
    void shouldReportTheWaitOfARetriedKeyBehindYoungerOnes() {
        java.util.Queue<Runnable> queued = new java.util.ArrayDeque<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        start(settings(ColdStart.NAIVE, 1), queued::add, 1, (s, h, p, o, n) -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("the first training fails");
            }
            return Trainer.train(s, h, p, o, n);
        });
        sendSeries("failing", 0, 8);
        driver.advanceWallClockTime(CHECK); // handed out: the pool is full
        sendSeries("second", 0, 8);
        sendSeries("third", 0, 8); // both ask a check interval after "failing"
        queued.poll().run(); // "failing" fails
        driver.advanceWallClockTime(CHECK); // retried after the others; "second" to the pool, "third" waits before it
        for (int i = 0; i < 3; i++) {
            driver.advanceWallClockTime(CHECK);
        }
        double waited = registry.get("forecaster.keys.awaiting.model.oldest").gauge().value();
        assertEquals(5 * CHECK.toSeconds(), waited, 0.5, "\"failing\" has waited since its first ask");
    }

    /** The tasks' punctuations free the drill-down slots of keys that stopped, for the next new keys. */
    @Test
    void shouldGiveAStoppedKeysDrillDownSlotToANewKeyAtAPunctuation() {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        metricsOf = p -> new ForecasterMetrics(registry, p::pending, 1, Duration.ofMinutes(10), nanos::get);
        start(settings(ColdStart.NAIVE, 1));
        sendSeries("stopped", 0, N_STEPS);
        sendSeries("live", 0, N_STEPS);
        assertNotNull(registry.find("forecaster.series.actual").tag("key", "stopped").gauge());
        assertNull(registry.find("forecaster.series.actual").tag("key", "live").gauge(), "one slot, taken");

        nanos.addAndGet(Duration.ofMinutes(11).toNanos());
        driver.advanceWallClockTime(CHECK);
        sendSeries("live", N_STEPS, 1);
        assertNull(registry.find("forecaster.series.actual").tag("key", "stopped").gauge(), "idle for 11 minutes: released");
        assertNotNull(registry.find("forecaster.series.actual").tag("key", "live").gauge(), "its slot is the live key's");
    }

    @Test
    void shouldForecastTheLastValueMarkedNaiveBeforeAKeyHasAModel() {
        start(settings(ColdStart.NAIVE, 1));
        send("k", "1");
        send("k", "2");
        assertTrue(output.isEmpty(), "no forecast before n-steps values");
        send("k", "3");

        var r = output.readRecord();
        Forecast f = Forecast.fromJson(r.value());
        assertEquals("k", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("k", f.key());
        assertEquals(3.0, f.forecast());
        assertEquals("naive", f.source());
        assertEquals("vanilla", f.variant());
        assertEquals(0, f.modelVersion());
        assertEquals(N_STEPS, f.nSteps());
        assertNull(f.forecastVector());
        assertEquals(1, counter("forecaster.predictions", "source", "naive"));
    }

    @Test
    void shouldEmitNothingBeforeAModelWhenColdStartIsSkip() {
        start(settings(ColdStart.SKIP, 1));
        sendSeries("k", 0, 7);

        assertTrue(output.isEmpty());
        assertEquals(7, seriesStore().get("k").history().size());
    }

    @Test
    void shouldHandDueKeysToTheTrainerAndSwapInTheirModelOnTheStreamThread() {
        start(settings(ColdStart.NAIVE, 1));
        sendSeries("k", 0, 7);
        driver.advanceWallClockTime(CHECK);
        assertNull(driver.getKeyValueStore(Stores.MODELS).get("k"), "7 observations: not due (min 8)");

        sendSeries("k", 7, 1);
        driver.advanceWallClockTime(CHECK); // hands the key over; the direct executor trains at once
        driver.advanceWallClockTime(CHECK); // takes the finished model back
        byte[] stored = (byte[]) driver.getKeyValueStore(Stores.MODELS).get("k");
        assertNotNull(stored);
        ModelSnapshot v1 = ModelFormat.decode(stored);
        assertEquals(1, v1.version());
        assertEquals(8, v1.observations());
        assertEquals(1, counter("forecaster.training.runs", "outcome", "success"));
        assertEquals(3, registry.get("forecaster.training.handoff").timer().count(), "one hand-off per punctuation");

        output.readRecordsToList();
        sendSeries("k", 8, 1);
        Forecast f = Forecast.fromJson(output.readRecord().value());
        assertEquals("lstm", f.source());
        assertEquals(1, f.modelVersion());

        sendSeries("k", 9, 4); // 4 new observations, but the interval has not passed
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k")).version());

        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        ModelSnapshot v2 = ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k"));
        assertEquals(2, v2.version());
        assertEquals(13, v2.observations());

        output.readRecordsToList();
        sendSeries("k", 13, 1);
        assertEquals(2, Forecast.fromJson(output.readRecord().value()).modelVersion(), "the next event uses the new model");
    }

    @Test
    void shouldStartAKeyAfreshWhenItsStoredStateOrModelCannotBeRead() {
        start(settings(ColdStart.NAIVE, 1));
        sendSeries("k", 0, 8);
        sendSeries("m", 0, 8);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertNotNull(driver.getKeyValueStore(Stores.MODELS).get("m"), "m has a model");
        // a broken disk, or a bad changelog record restored: m's model and k's state no longer read
        KeyValueStore<String, byte[]> models = driver.getKeyValueStore(Stores.MODELS);
        byte[] model = (byte[]) models.get("m");
        model[model.length / 2] ^= 0x55;
        models.put("m", model);
        seriesStore().below().put("k", new byte[] {'S', 'F', 'S', '3', 0, 0});
        seriesStore().clearCache(); // as when the task's state is recycled: read again from below
        output.readRecordsToList();

        sendSeries("k", 8, 3);
        sendSeries("m", 8, 3);

        assertTrue(deadLetters.isEmpty(), "no record of these keys is refused");
        var forecasts = output.readRecordsToList();
        assertEquals(4, forecasts.size(), "k forecasts again from its third fresh value (with its model, still readable), m from each");
        for (var r : forecasts) {
            Forecast f = Forecast.fromJson(r.value());
            if (f.key().equals("m")) {
                assertEquals("naive", f.source(), "m serves naive until retrained");
            }
        }
        assertEquals(3, seriesStore().get("k").history().observations(), "k starts with a fresh history");
        assertEquals(11, seriesStore().get("m").history().observations(), "m keeps its history");
        assertEquals(1, counter("forecaster.corrupt.records", "store", "series"));
        assertTrue(counter("forecaster.corrupt.records", "store", "models") >= 1);

        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        ModelSnapshot retrained = ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("m"));
        assertEquals(1, retrained.version(), "m is trained afresh and its model replaces the unreadable record");
        output.readRecordsToList();
        sendSeries("m", 11, 1);
        assertEquals("lstm", Forecast.fromJson(output.readRecord().value()).source());
    }

    @Test
    void shouldKeepThePreviousModelWhenTrainingFailsOrGivesANonFiniteModel() {
        var failing = new java.util.concurrent.atomic.AtomicReference<String>("ok");
        start(settings(ColdStart.NAIVE, 1), Runnable::run, 2, (s, h, prev, obs, now) -> {
            ModelSnapshot m = Trainer.train(s, h, prev, obs, now);
            return switch (failing.get()) {
                case "throw" -> throw new IllegalStateException("boom");
                case "nan" -> new ModelSnapshot(m.variant(), m.nSteps(), m.nFeatures(), m.units(), m.scaler(),
                        m.lstms(), m.dense(), m.version(), m.trainedAt(), Double.NaN, m.observations());
                default -> m;
            };
        });
        sendSeries("k", 0, 8);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k")).version());

        failing.set("throw");
        sendSeries("k", 8, 4);
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, counter("forecaster.training.runs", "outcome", "failed"));

        failing.set("nan");
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, counter("forecaster.training.runs", "outcome", "kept-previous"));

        assertEquals(1, ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k")).version());
        output.readRecordsToList();
        sendSeries("k", 12, 1);
        assertEquals("lstm", Forecast.fromJson(output.readRecord().value()).source());
    }

    @Test
    void shouldKeepTheCurrentModelWhenARetrainDoesWorseOnHeldOutPointsAndFallBackToNaiveWhenItIsWorseThanNaive() {
        var base = settings(ColdStart.NAIVE, 1);
        var withHoldout = base.withTraining(new TrainingSettings(Variant.VANILLA, N_STEPS, 1, 4, 20, 5, 0.01, 1, 1.0, 4));
        var offset = new java.util.concurrent.atomic.AtomicReference<Double>(1.0);
        start(withHoldout, Runnable::run, 2, (s, h, prev, obs, now) -> TestModels.offset(s, offset.get(), 0, obs));
        for (int i = 0; i < 8; i++) { // a ramp: +1 is exact, naive is off by 1
            send("k", Integer.toString(i));
        }
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k")).version());

        offset.set(-3.0); // the retrain is off by 4 on the held-out points, the current model exact
        for (int i = 8; i < 12; i++) {
            send("k", Integer.toString(i));
        }
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        ModelSnapshot kept = ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("k"));
        assertEquals(1, kept.version());
        assertEquals(1, kept.assessment().rejections());
        assertEquals(4.0, kept.assessment().challengerMae(), 1e-5);
        assertEquals(1, counter("forecaster.models.challenges", "decision", "rejected"));
        assertEquals(1, counter("forecaster.training.runs", "outcome", "kept-previous"));
        output.readRecordsToList();
        send("k", "12");
        assertEquals("lstm", Forecast.fromJson(output.readRecord().value()).source());

        // the series turns: from now on the model's +1 is worse than naive, and the key falls back
        for (int i = 0; i < 40; i++) {
            send("k", "12");
        }
        Forecast last = Forecast.fromJson(output.readRecordsToList().get(39).value());
        assertEquals("naive", last.source());
        assertEquals(Boolean.TRUE, last.fallback());
        assertEquals(12.0, last.forecast());
        assertEquals(1, counter("forecaster.fallbacks", "change", "entered"));
        assertTrue(seriesStore().get("k").judgement().fallback());
    }

    @Test
    void shouldTrainKeysWithoutAModelBeforeOlderModelsAndCountWhy() {
        Queue<Runnable> queued = new ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1), queued::add, 1, Trainer::train); // one slot: only the most urgent key gets it
        sendSeries("old", 0, 8);
        driver.advanceWallClockTime(CHECK);
        queued.poll().run();
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, ModelFormat.decode((byte[]) driver.getKeyValueStore(Stores.MODELS).get("old")).version());

        driver.advanceWallClockTime(INTERVAL);
        sendSeries("old", 8, 6); // due again by age, and it asks first
        sendSeries("new", 0, 8); // no model yet
        driver.advanceWallClockTime(CHECK);

        assertEquals(1, queued.size());
        assertEquals(2, counter("forecaster.training.requests", "reason", "first-model"), "old's first model, then new's");
        assertEquals(0, counter("forecaster.training.requests", "reason", "age"), "the older model waits");
        assertEquals(1, registry.get("forecaster.keys.due").gauge().value(), "old is due and waiting for the slot");
        queued.poll().run();
        driver.advanceWallClockTime(CHECK); // new's model is installed, old gets the slot
        assertEquals(1, counter("forecaster.training.requests", "reason", "age"));
        assertEquals(0, registry.get("forecaster.keys.awaiting.model").gauge().value());
        assertNotNull(driver.getKeyValueStore(Stores.MODELS).get("new"));
        assertTrue(registry.get("forecaster.models.age").timer().count() >= 1, "ages of the seen keys' models");
    }

    /**
     * The punctuation reads no key's state back: with 100,000 keys over the memory budget, reading
     * every seen key's model for the age histogram reloaded keys the budget had written out, and
     * held a stream thread for 2.5 s (BENCHMARKS.md §3).
     */
    @Test
    void shouldNotReloadKeysTheBudgetWroteOutWhenItPunctuates() {
        budget = new MemoryBudget(1); // one key in memory at a time: each new key writes out the one before
        start(settings(ColdStart.NAIVE, 1));
        for (int k = 0; k < 10; k++) {
            send("key-" + k, "1.5");
        }
        assertEquals(1, seriesStore().liveKeys());
        long before = budget.evictions();
        driver.advanceWallClockTime(CHECK);
        assertTrue(budget.evictions() - before <= 1, "the punctuation may trim the one live key, and reload none: "
                + (budget.evictions() - before) + " written out");
        assertTrue(seriesStore().liveKeys() <= 1);
    }

    /**
     * Nor does it read a waiting key's state to see whether it is due: with 100,000 keys over the
     * budget, each waiting for its retrain interval, every punctuation read them all back, and the
     * stream went from 6,649 to under 1,111 events/s (BENCHMARKS.md §3).
     */
    @Test
    void shouldNotReloadKeysThatAreNotDueOrCannotBeHandedOutWhenItPunctuates() {
        budget = new MemoryBudget(1);
        Queue<Runnable> queued = new ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1), queued::add, 1, Trainer::train);
        for (int k = 0; k < 10; k++) {
            sendSeries("key-" + k, 0, 8); // each has the data for a first model
        }
        long before = budget.evictions();
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, queued.size(), "one slot: one key handed out");
        assertEquals(9, registry.get("forecaster.keys.due").gauge().value(), "the others are counted as due");
        assertTrue(budget.evictions() - before <= 2, "reads only the key it hands out (and may trim one): "
                + (budget.evictions() - before) + " written out");

        for (int round = 0; trained() < 10; round++) { // a model for each key, its retrain interval (60 s) ahead
            assertTrue(round < 20, "every key should get its first model");
            Runnable job = queued.poll();
            assertNotNull(job, "a key is handed out at each punctuation until all have their models");
            job.run();
            driver.advanceWallClockTime(CHECK);
        }
        for (int k = 0; k < 10; k++) {
            sendSeries("key-" + k, 8, 4); // min-new-observations: each waits for its interval now
        }
        before = budget.evictions();
        driver.advanceWallClockTime(CHECK);
        assertTrue(queued.isEmpty(), "no key is due yet");
        assertEquals(0, registry.get("forecaster.keys.due").gauge().value());
        assertTrue(budget.evictions() - before <= 1, "reads none of the waiting keys: " + (budget.evictions() - before) + " written out");

        driver.advanceWallClockTime(INTERVAL);
        assertEquals(1, queued.size(), "once their interval has passed they are due again");
        assertEquals(9, registry.get("forecaster.keys.due").gauge().value());
    }

    @Test
    void shouldGiveANewKeyLstmForecastsAtOnceFromItsPartitionsSharedModel() {
        start(settings(ColdStart.NAIVE, 1).withScope(ModelScope.SHARED));
        sendSeries("a", 0, 5);
        sendSeries("b", 0, 5); // 10 observations of the partition: at least min-observations (8)
        driver.advanceWallClockTime(CHECK); // hands the partition's keys over; the direct executor trains at once
        driver.advanceWallClockTime(CHECK); // takes the shared model back

        KeyValueStore<String, byte[]> models = driver.getKeyValueStore(Stores.MODELS);
        ModelSnapshot shared = ModelFormat.decode(models.get(Stores.SHARED_MODEL_KEY));
        assertEquals(1, shared.version());
        assertTrue(shared.scaler().perWindow());
        assertNull(models.get("a"), "no per-key models");

        output.readRecordsToList();
        sendSeries("new-key", 0, N_STEPS); // a key the model never saw: its first forecast is the model's
        Forecast f = Forecast.fromJson(output.readRecord().value());
        assertEquals("new-key", f.key());
        assertEquals("lstm", f.source());
        assertEquals(1, f.modelVersion());
        driver.advanceWallClockTime(CHECK);
        assertTrue(registry.get("forecaster.models.age").timer().count() > 0, "the age of the model that served the keys is recorded");

        sendSeries("a", 5, 4);
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        assertEquals(2, counter("forecaster.training.runs", "outcome", "success") + counter("forecaster.training.runs", "outcome", "kept-previous"),
                "the shared model is retrained once enough new observations arrived");
    }

    /** With the shared scope too: the partition's keys are read for its model only when the pool has room for the job. */
    @Test
    void shouldNotReadThePartitionsKeysForASharedModelThePoolHasNoRoomFor() {
        budget = new MemoryBudget(1);
        start(settings(ColdStart.NAIVE, 1).withScope(ModelScope.SHARED), r -> { }, 1, Trainer::train);
        assertTrue(pool.trySubmit(new TrainingPool.Job("elsewhere", new double[][] {{1}}, null, 1, r -> { })), "another task takes the one slot");
        for (int k = 0; k < 10; k++) {
            sendSeries("key-" + k, 0, 5); // enough for the shared model, each key with a window to train on
        }
        long before = budget.evictions();
        driver.advanceWallClockTime(CHECK);
        assertTrue(budget.evictions() - before <= 1, "reads none of its keys: " + (budget.evictions() - before) + " written out");
        assertEquals(1, registry.get("forecaster.keys.due").gauge().value(), "the shared model is due, waiting for room");
    }

    /**
     * A partition's shared model trains on its keys in memory: reading the keys the budget wrote out
     * would write as many others out, on the stream thread, up to shared-keys of them at once.
     */
    @Test
    void shouldTrainASharedModelOnTheKeysInMemoryWithoutReadingOthersBack() {
        budget = new MemoryBudget(1);
        Queue<Runnable> queued = new ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1).withScope(ModelScope.SHARED), queued::add, 1, Trainer::train);
        for (int k = 0; k < 10; k++) {
            sendSeries("key-" + k, 0, 5); // enough for the shared model, each key with a window to train on
        }
        long before = budget.evictions();
        driver.advanceWallClockTime(CHECK);
        assertEquals(1, queued.size(), "the shared model is handed out");
        assertTrue(budget.evictions() - before <= 1, "its keys on disk are not read back: " + (budget.evictions() - before) + " written out");
    }

    @Test
    void shouldBoundTheTrainingQueueAndGiveEveryDueKeyItsTurn() {
        Queue<Runnable> queued = new ArrayDeque<>();
        start(settings(ColdStart.NAIVE, 1), queued::add, 2, Trainer::train);
        for (int k = 0; k < 6; k++) {
            sendSeries("key-" + k, 0, 8);
        }

        int rounds = 0;
        for (int advance = 0; trained() < 6; advance++) {
            assertTrue(advance < 10, "every key should be trained within a few punctuations");
            driver.advanceWallClockTime(CHECK);
            assertTrue(queued.size() <= 2, "at most 2 jobs handed out at once, was " + queued.size());
            if (!queued.isEmpty()) {
                rounds++;
            }
            Runnable r;
            while ((r = queued.poll()) != null) {
                r.run();
            }
        }

        assertEquals(3, rounds, "6 keys, 2 slots: 3 rounds");
    }

    int trained() {
        int n = 0;
        for (int k = 0; k < 10; k++) {
            n += driver.getKeyValueStore(Stores.MODELS).get("key-" + k) == null ? 0 : 1;
        }
        return n;
    }

    @Test
    void shouldForecastEveryFeatureOfAMultivariateSeries() {
        start(settings(ColdStart.NAIVE, 2));
        for (int i = 0; i < 8; i++) {
            send("m", "{\"values\": [" + i + ", " + (10 - i) + "]}");
        }
        send("m", "3.0");
        assertEquals("wrong-dimension", header(deadLetters.readRecord(), DeadLetter.REASON));

        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(CHECK);
        output.readRecordsToList();
        send("m", "{\"values\": [8, 2]}");

        Forecast f = Forecast.fromJson(output.readRecord().value());
        assertEquals("lstm", f.source());
        assertEquals(2, f.forecastVector().length);
        assertEquals(f.forecast(), f.forecastVector()[0]);
        assertTrue(Double.isFinite(f.forecastVector()[1]));
    }

    @Test
    void shouldScoreEachForecastAgainstTheNextActualAndNaive() {
        start(settings(ColdStart.NAIVE, 1));
        for (int v : new int[] {1, 2, 3, 5, 4}) {
            send("k", Integer.toString(v));
        }
        SeriesState s = seriesStore().get("k");
        // naive forecasts 3 then 5, actuals 5 then 4: errors 2 and 1, the same for both
        assertEquals(2, s.accuracy().scored());
        assertEquals(s.accuracy().naiveMae(), s.accuracy().onlineMae(), 1e-12);
        assertTrue(s.accuracy().onlineMae() > 1 && s.accuracy().onlineMae() < 2, "weighted mean of 2 and 1: " + s.accuracy().onlineMae());
    }

    @Test
    void shouldLogEachKeysLatestStateToTheChangelogAtCommit() {
        start(settings(ColdStart.NAIVE, 1));
        var changelog = driver.createOutputTopic("topology-test-" + Stores.SERIES + "-changelog",
                new org.apache.kafka.common.serialization.StringDeserializer(),
                (org.apache.kafka.common.serialization.Deserializer<SeriesState>) (topic, bytes) ->
                        new io.streamforecaster.state.SeriesStateCodec(1, HISTORY, ServingSettings.defaults().intervalWindow()).decode(bytes));
        for (int i = 0; i < 5; i++) {
            send("k", Integer.toString(i));
        }
        var logged = changelog.readKeyValuesToMap();
        assertEquals(5, logged.get("k").history().observations(), "the state a restart restores");
        assertEquals(4.0, logged.get("k").history().lastRow()[0]);
    }
}
