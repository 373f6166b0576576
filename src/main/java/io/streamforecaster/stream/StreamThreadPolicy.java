package io.streamforecaster.stream;

import io.streamforecaster.metrics.ForecasterMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What happens to a stream thread that dies of an error that escaped every handler: it is
 * replaced, so one bad moment does not stop the service; but when threads keep dying (more than
 * {@code maxReplacements} within {@code window}), replacing them again would only hide a fault
 * that does not go away, so this instance's Kafka Streams client is shut down and the liveness
 * check reports why ({@link #gaveUp()}), for the orchestrator to restart the pod.
 */
public final class StreamThreadPolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(StreamThreadPolicy.class);

    private final int maxReplacements;
    private final Duration window;
    private final LongSupplier clock;
    private final ForecasterMetrics metrics;
    private final Deque<Long> deaths = new ArrayDeque<>();
    private volatile String gaveUp;

    public StreamThreadPolicy(int maxReplacements, Duration window, LongSupplier clock, ForecasterMetrics metrics) {
        if (maxReplacements < 0) {
            throw new IllegalArgumentException("Invalid forecaster.stream-threads.max-replacements = " + maxReplacements);
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("Invalid forecaster.stream-threads.replacement-window = " + window + ": must be positive");
        }
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.getAsLong();
        deaths.addLast(now);
        while (deaths.peekFirst() <= now - window.toMillis()) {
            deaths.removeFirst();
        }
        if (deaths.size() > maxReplacements) {
            gaveUp = deaths.size() + " stream-thread deaths within " + window + " (forecaster.stream-threads.max-replacements = "
                    + maxReplacements + "); the last: " + exception;
            LOG.errorf(exception, "Stream threads keep dying: %s. Shutting this instance's Kafka Streams client down; liveness now fails", gaveUp);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (metrics != null) {
            metrics.threadReplaced();
        }
        LOG.errorf(exception, "A stream thread failed (%d within %s); it is replaced and its tasks resume from the last commit",
                deaths.size(), window);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Why this instance stopped replacing its stream threads; empty while it goes on. */
    public Optional<String> gaveUp() {
        return Optional.ofNullable(gaveUp);
    }
}
