package io.streamforecaster.tools;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Log levels for the tools and tests that run outside Quarkus: without them the log manager lets
 * Kafka's trace messages be formatted (and thrown away), which costs the broker and the streams
 * clients a good share of their time and would distort every measurement.
 */
public final class Logging {

    private static final Logger[] KEEP = new Logger[6]; // j.u.l holds loggers weakly: keep the configured ones

    private Logging() {
    }

    public static synchronized void quiet() {
        if (KEEP[0] != null) {
            return;
        }
        KEEP[0] = Logger.getLogger("");
        KEEP[0].setLevel(Level.INFO);
        String[] noisy = {"org.apache.kafka", "kafka", "state.change.logger", "org.nd4j", "org.deeplearning4j"};
        for (int i = 0; i < noisy.length; i++) {
            KEEP[i + 1] = Logger.getLogger(noisy[i]);
            KEEP[i + 1].setLevel(Level.WARNING);
        }
    }
}
