package io.streamforecaster.tools.chaos;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * Sends a workload's records to the input topic on its own thread, at a rate that can change while
 * it runs, and notes each record in the ledger: its send time, and whether the broker acknowledged
 * it. The producer is idempotent with {@code acks=all} and rides through broker restarts (it
 * retries for up to five minutes), as a careful producer would.
 */
public final class Sender implements AutoCloseable {

    /** Header of bad records: their sequence number, in case a dead letter lost the record's timestamp. */
    public static final String SEQ_HEADER = "chaos-seq";

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Workload workload;
    private final Ledger ledger;
    private final Thread thread;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private volatile int limit;
    private volatile double rate;
    private volatile boolean stopped;
    private volatile Throwable failure;

    public Sender(String bootstrap, String topic, Workload workload, Ledger ledger) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(5).toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Duration.ofMinutes(5).toMillis());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.workload = workload;
        this.ledger = ledger;
        this.limit = workload.size();
        this.thread = new Thread(this::loop, "chaos-sender");
        this.thread.setDaemon(true);
    }

    /** Starts sending at this rate (records per second; 0: as fast as the producer takes them). */
    public Sender start(double perSecond) {
        rate = perSecond;
        thread.start();
        return this;
    }

    public void rate(double perSecond) {
        rate = perSecond;
    }

    /** Sends no record at or past {@code seq} until the limit is raised. */
    public void limit(int seq) {
        limit = Math.min(seq, workload.size());
    }

    /** Records handed to the producer so far. */
    public int sent() {
        return next.get();
    }

    public int acknowledged() {
        return acked.get();
    }

    /** Waits until every record up to the limit is sent and acknowledged (or failed for good). */
    public void awaitSent(Duration atMost) {
        Awaitility.await().alias("all records sent").atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (failure != null) {
                throw new IllegalStateException("the chaos sender failed", failure);
            }
            return next.get() >= limit && acked.get() >= limit;
        });
    }

    private void loop() {
        long started = System.nanoTime();
        long sentAtRateStart = 0;
        double currentRate = -1;
        try {
            while (!stopped && next.get() < workload.size()) {
                int seq = next.get();
                if (seq >= limit) {
                    Pause.of(Duration.ofMillis(5));
                    continue;
                }
                double r = rate;
                if (r != currentRate) { // pace from now on at the new rate
                    currentRate = r;
                    started = System.nanoTime();
                    sentAtRateStart = seq;
                }
                if (r > 0) {
                    long due = started + (long) ((seq - sentAtRateStart) * 1e9 / r);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Pause.of(Duration.ofNanos(wait));
                    }
                }
                send(seq);
                next.incrementAndGet();
            }
            producer.flush();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void send(int seq) {
        Workload.Planned p = workload.record(seq);
        if (p == null) { // a slot this run leaves out (the clean run of a comparison)
            acked.incrementAndGet();
            return;
        }
        RecordHeaders headers = new RecordHeaders();
        if (p.series() == Ledger.BAD) {
            headers.add(SEQ_HEADER, ByteBuffer.allocate(8).putLong(seq).array());
        }
        ledger.planned(seq, p.series(), p.category());
        producer.send(new ProducerRecord<>(topic, null, ledger.timestamp(seq), p.key(), p.value(), headers), (meta, e) -> {
            ledger.acked(seq, e == null);
            acked.incrementAndGet();
            if (e != null) {
                System.err.println("chaos sender: record " + seq + " was not written: " + e);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(TimeUnit.MINUTES.toMillis(1));
        producer.close(Duration.ofSeconds(30));
    }
}
