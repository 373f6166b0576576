package io.streamforecaster.stream;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * The changelog partitions this instance is restoring its stores from now. Kafka Streams reports
 * RUNNING or REBALANCING all along a restore, which can take minutes (a lost disk, a wiped store
 * after an unclean exactly-once stop, a task moved without a standby): an instance that counted as
 * ready meanwhile let a rolling update restart the next one while its own keys were still
 * unavailable. Quarkus registers this bean as Kafka Streams' restore listener.
 */
@ApplicationScoped
public class RestoringPartitions implements StateRestoreListener {

    private final Set<TopicPartition> restoring = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        restoring.add(partition);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition);
        ended.incrementAndGet();
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition); // the task moved away before it was restored
        ended.incrementAndGet();
    }

    /**
     * Forgets every partition: called once Kafka Streams runs, when no active task is restoring.
     * Kafka Streams does not announce the end of a restore that failed (the task is dropped, its
     * thread replaced) or that a shutdown cleared; such a partition would otherwise hold readiness
     * down through every later rebalance.
     */
    public void clear() {
        restoring.clear();
        ended.incrementAndGet();
    }

    /** How many restores have ended (or were given up) since the start: what a listing taken during one compares. */
    public long restoresEnded() {
        return ended.get();
    }

    /** How many changelog partitions are being restored now. */
    public int count() {
        return restoring.size();
    }
}
