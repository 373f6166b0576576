package io.streamforecaster.tools.chaos;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The main class of a Kafka node process of {@link BrokerCluster}: Kafka's own {@code kafka.Kafka}
 * with a log. On the tools' class path Kafka logs through the JBoss log manager, which Quarkus'
 * jars leave without handlers outside Quarkus, so the node would say nothing at all: this gives it
 * warnings, and its start-up, registration and log recovery steps, on standard error.
 */
public final class KafkaNode {

    private static final Logger[] KEEP = new Logger[8]; // j.u.l holds loggers weakly

    private KafkaNode() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler console = new ConsoleHandler();
        console.setFormatter(new SimpleFormatter());
        console.setLevel(Level.ALL);
        root.addHandler(console);
        root.setLevel(Level.WARNING);
        KEEP[0] = root;
        String[] told = {"kafka.server.BrokerServer", "kafka.server.ControllerServer", "kafka.server.BrokerLifecycleManager",
            "kafka.log.LogManager", "kafka.server.KafkaRaftServer", "org.apache.kafka.raft.QuorumState", "kafka.Kafka"};
        for (int i = 0; i < told.length; i++) {
            KEEP[i + 1] = Logger.getLogger(told[i]);
            KEEP[i + 1].setLevel(Level.INFO);
        }
        kafka.Kafka.main(args);
    }
}
