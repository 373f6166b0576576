package io.streamforecaster.stream;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Ends the process when stopping takes longer than an orchestrator waits for it. Kafka Streams'
 * close cannot finish while the brokers are unreachable (its threads wait on metadata and commits
 * for minutes), and Quarkus' own shutdown then waits for it without a limit, after ours has given
 * up: the process outlived its grace period and was killed, with nothing said why.
 */
final class ShutdownDeadline {

    private static final Logger LOG = Logger.getLogger(ShutdownDeadline.class);

    private ShutdownDeadline() {
    }

    /**
     * Starts the watch: after {@code limit}, unless the returned thread is interrupted first (or
     * the process ends), logs why and runs {@code halt}.
     */
    static Thread start(Duration limit, Runnable halt) {
        Thread watch = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            LOG.errorf("Stopping took longer than %d s (Kafka Streams did not close in time: are the brokers reachable?); the process ends"
                    + " now, before its orchestrator kills it. Stores not closed cleanly are checked or restored at the next start.", limit.toSeconds());
            halt.run();
        }, "shutdown-deadline");
        watch.setDaemon(true);
        watch.start();
        return watch;
    }
}
