package io.streamforecaster.tools.chaos;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;

/**
 * What every chaos scenario stands on: real brokers (processes it started), per-run topics, and the
 * settings the service instances get. A scenario builds its runs from these parts and closes the
 * lab, which kills whatever it started, also when the run fails.
 */
public final class Lab implements AutoCloseable {

    /** The service's n-steps in every chaos run (its default). */
    static final int N_STEPS = 12;
    /** The service's input.max-bytes (its default). */
    static final int MAX_BYTES = 4096;

    /** How long a run waits for more output before it counts what is missing (the command's patience). */
    static final Duration PATIENCE = Duration.ofSeconds(90);

    private final Path dir;
    private final BrokerCluster kafka;
    private final PrintStream progress;
    private final Duration patience;

    private Lab(Path dir, BrokerCluster kafka, PrintStream progress, Duration patience) {
        this.dir = dir;
        this.kafka = kafka;
        this.progress = progress;
        this.patience = patience;
    }

    /** Starts {@code brokers} Kafka nodes under {@code dir}; progress lines go to {@code progress}. */
    public static Lab start(Path dir, int brokers, Map<String, String> brokerSettings, PrintStream progress) throws Exception {
        return start(dir, brokers, brokerSettings, progress, PATIENCE);
    }

    /**
     * As above; {@code patience} is how long a run waits for more output before it counts what is
     * missing (the tests wait less: a missing forecast is missing either way).
     */
    public static Lab start(Path dir, int brokers, Map<String, String> brokerSettings, PrintStream progress, Duration patience)
            throws Exception {
        // a lab starts empty: a previous run's log directories carry another cluster id, which
        // makes the nodes' storage format fail, and its state directories belong to other topics
        LostDisk.deleteTree(dir);
        Files.createDirectories(dir);
        progress.printf("  starting %d Kafka node(s) under %s%n", brokers, dir);
        return new Lab(dir, BrokerCluster.start(dir.resolve("kafka"), brokers, brokerSettings), progress, patience);
    }

    Duration patience() {
        return patience;
    }

    public Path dir() {
        return dir;
    }

    BrokerCluster kafka() {
        return kafka;
    }

    void say(String format, Object... args) {
        progress.printf("  " + format + "%n", args);
    }

    /** A run's three topics. */
    record Topics(String input, String output, String deadLetter) {
    }

    Topics topics(String run, int partitions) throws Exception {
        Topics t = new Topics(run + "-input", run + "-predictions", run + "-dlq");
        kafka.createTopic(t.input(), partitions, Map.of());
        kafka.createTopic(t.output(), partitions, Map.of());
        // oversized bad records go back out as dead letters with headers added
        kafka.createTopic(t.deadLetter(), 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        return t;
    }

    /**
     * The service settings of a run: its broker, application id and topics, quick training
     * hand-offs, and a training schedule that trains each key once (at 64 observations) and never
     * again, so that any further model installed was caused by a fault.
     */
    Map<String, String> serviceSettings(String applicationId, Topics t) {
        Map<String, String> s = new HashMap<>();
        s.put("quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers());
        s.put("quarkus.kafka-streams.application-id", applicationId);
        s.put("forecaster.topics.input", t.input());
        s.put("forecaster.topics.output", t.output());
        s.put("forecaster.topics.dead-letter", t.deadLetter());
        s.put("forecaster.training.check-interval", "500ms");
        s.put("forecaster.training.min-observations", "64");
        s.put("forecaster.training.min-new-observations", "1000000000");
        s.put("forecaster.training.epochs", "10");
        s.put("kafka-streams.producer.max.request.size", Integer.toString(4 * 1024 * 1024));
        return s;
    }

    Fleet fleet(String run, Map<String, String> settings) {
        return new Fleet(dir.resolve(run), settings);
    }

    /**
     * Waits until every record is sent and every expected forecast and dead letter has come, or
     * until nothing new came for {@code quiet} (then the figures show what is missing).
     */
    void awaitOutput(Ledger ledger, Sender sender, Collector collector, Duration quiet) {
        awaitOutput(ledger, sender, collector, quiet, true);
    }

    /** Like {@link #awaitOutput}, for the forecasts alone (a run that reads its dead letters later). */
    void awaitForecasts(Ledger ledger, Sender sender, Collector collector, Duration quiet) {
        awaitOutput(ledger, sender, collector, quiet, false);
    }

    /**
     * Once every expected record has come, how long the wait goes on reading, until nothing came
     * for a second: duplicates still on their way are counted too.
     */
    static final Duration DRAIN = Duration.ofSeconds(3);

    private void awaitOutput(Ledger ledger, Sender sender, Collector collector, Duration quiet, boolean deadLetters) {
        sender.awaitSent(Duration.ofMinutes(10));
        OutputWait wait = new OutputWait(DRAIN, quiet, System.nanoTime());
        Awaitility.await().alias("all output, or none for " + quiet).atMost(Duration.ofHours(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    collector.check();
                    Ledger.Tally t = ledger.tally();
                    long missingDeadLetters = deadLetters ? t.badWithoutDeadLetter() : 0;
                    long count = t.forecastsObserved() + (deadLetters ? t.deadLetters() : 0);
                    OutputWait.Outcome o = wait.look(count, t.lost() == 0 && missingDeadLetters == 0, System.nanoTime());
                    if (o == OutputWait.Outcome.STOPPED_SHORT) {
                        say(deadLetters ? "output stopped short: %,d forecasts missing, %,d bad records without a dead letter"
                                : "forecasts stopped short: %,d missing", t.lost(), missingDeadLetters);
                    }
                    return o != OutputWait.Outcome.WAIT;
                });
    }

    Admin admin() {
        return kafka.admin();
    }

    @Override
    public void close() throws InterruptedException {
        kafka.close();
    }
}
