package io.streamforecaster.tools.chaos;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the forecast and dead-letter topics from the beginning on its own thread, with
 * {@code isolation.level=read_committed} (what an exactly-once reader sees; without transactions
 * it sees everything), and notes every record in the ledger with the time it arrived.
 * A throughput run can leave the dead letters until its forecasts are in
 * ({@link #deadLettersLater()}): reading hundreds of MB of them would take this machine's cores
 * from the service it measures, which a deployment's dead-letter readers elsewhere do not.
 */
public final class Collector implements AutoCloseable {

    /** The dead-letter header that carries the reason (the service's {@code DeadLetter.REASON}). */
    static final String REASON_HEADER = "forecaster.error.reason";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String output;
    private final String deadLetter;
    private final Ledger ledger;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile long lastPoll;
    private boolean deadLettersLater;
    private volatile boolean readDeadLetters;
    private boolean readingDeadLetters;

    public Collector(String bootstrap, String output, String deadLetter, Ledger ledger) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.output = output;
        this.deadLetter = deadLetter;
        this.ledger = ledger;
        this.thread = new Thread(this::loop, "chaos-collector");
        this.thread.setDaemon(true);
    }

    /** Reads only forecasts until {@link #readDeadLetters()}; call before {@link #start()}. */
    public Collector deadLettersLater() {
        deadLettersLater = true;
        return this;
    }

    /** Starts reading the dead-letter topic too, from its beginning. */
    public void readDeadLetters() {
        readDeadLetters = true;
    }

    public Collector start() {
        List<TopicPartition> partitions = partitions(deadLettersLater ? List.of(output) : List.of(output, deadLetter));
        readingDeadLetters = !deadLettersLater;
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
        return this;
    }

    private List<TopicPartition> partitions(List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        return partitions;
    }

    /** On the reading thread: adds the dead-letter partitions, keeping the forecast partitions' positions. */
    private void addDeadLetters() {
        List<TopicPartition> more = partitions(List.of(deadLetter));
        List<TopicPartition> all = new ArrayList<>(consumer.assignment());
        all.addAll(more);
        consumer.assign(all);
        consumer.seekToBeginning(more);
        readingDeadLetters = true;
    }

    /** Forecasts received so far (with duplicates). */
    public long forecasts() {
        return ledger.forecastsSeen();
    }

    /** Throws if the reader failed; a run's figures are void then. */
    public void check() {
        if (failure != null) {
            throw new IllegalStateException("the chaos collector failed", failure);
        }
    }

    private void loop() {
        try {
            while (!stopped) {
                if (readDeadLetters && !readingDeadLetters) {
                    addDeadLetters();
                }
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                lastPoll = now;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.topic().equals(output)) {
                        ledger.forecast(r.key(), r.timestamp(), r.value(), now);
                    } else {
                        Header seq = r.headers().lastHeader(Sender.SEQ_HEADER);
                        long ts = seq != null && seq.value().length == 8 ? ledger.timestamp(ByteBuffer.wrap(seq.value()).getLong()) : r.timestamp();
                        Header reason = r.headers().lastHeader(REASON_HEADER);
                        ledger.deadLetter(ts, reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure = t;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        consumer.close(Duration.ofSeconds(5));
    }
}
