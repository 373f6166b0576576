package io.streamforecaster.tools.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * One run of a scenario: its topics, the ledger of what was sent and what came out, the service
 * instances, the sender and the collector, and the faults injected. Closing it stops everything
 * it started.
 */
final class Harness implements AutoCloseable {

    private final Lab lab;
    private final String run;
    private final Lab.Topics topics;
    private final Workload workload;
    private final Ledger ledger;
    private final Fleet fleet;
    private final Faults faults = new Faults();
    private final Map<String, String> settings;
    private Collector collector;
    private Sender sender;
    /** Whether the input was sent before the service ran: waits are then no stall, and are not reported. */
    private boolean backlog;

    private Harness(Lab lab, String run, Lab.Topics topics, Workload workload, Ledger ledger, Map<String, String> settings) {
        this.lab = lab;
        this.run = run;
        this.topics = topics;
        this.workload = workload;
        this.ledger = ledger;
        this.settings = settings;
        this.fleet = lab.fleet(run, settings);
    }

    /**
     * Creates the run's topics and ledger.
     *
     * @param run the run's name: its topics, application id and log directory
     * @param warmKeys whether the keys have full histories already (every event then has a forecast)
     * @param keepForecasts keep each forecast's bytes, to compare runs
     * @param overrides service settings of this run, over the lab's
     */
    static Harness open(Lab lab, String run, Workload workload, int partitions, boolean warmKeys, boolean keepForecasts,
                        Map<String, String> overrides) throws Exception {
        return open(lab, run, workload, partitions, warmKeys, keepForecasts, overrides, System.currentTimeMillis());
    }

    /** As above, with the timestamp of record 0 given (two runs compared record by record share it). */
    static Harness open(Lab lab, String run, Workload workload, int partitions, boolean warmKeys, boolean keepForecasts,
                        Map<String, String> overrides, long t0) throws Exception {
        Lab.Topics topics = lab.topics(run, partitions);
        Ledger ledger = new Ledger(t0, workload.keys(), workload.size(), warmKeys ? 1 : Lab.N_STEPS, keepForecasts);
        Map<String, String> settings = lab.serviceSettings(run, topics);
        settings.putAll(overrides);
        return new Harness(lab, run, topics, workload, ledger, settings);
    }

    Lab lab() {
        return lab;
    }

    String run() {
        return run;
    }

    Lab.Topics topics() {
        return topics;
    }

    Ledger ledger() {
        return ledger;
    }

    Fleet fleet() {
        return fleet;
    }

    Faults faults() {
        return faults;
    }

    Sender sender() {
        return sender;
    }

    Collector collector() {
        return collector;
    }

    Map<String, String> settings() {
        return settings;
    }

    /** Starts reading the output topics (from the beginning) and sending at this rate. */
    Harness stream(double rate) {
        startCollector();
        sender = new Sender(lab.kafka().bootstrapServers(), topics.input(), workload, ledger).start(rate);
        return this;
    }

    /** Starts the sender only up to {@code limit} records, sending them as fast as it can. */
    Harness preload(int limit) {
        sender = new Sender(lab.kafka().bootstrapServers(), topics.input(), workload, ledger);
        sender.limit(limit);
        sender.start(0);
        return this;
    }

    /** The run measures a backlog (all input sent before the service starts): no stall figure then. */
    Harness backlog() {
        backlog = true;
        return this;
    }

    Harness startCollector() {
        return startCollector(false);
    }

    /** Starts reading the output topics; with {@code deadLettersLater}, the dead letters only once {@link #finishDeadLetters()} is called. */
    Harness startCollector(boolean deadLettersLater) {
        if (collector == null) {
            Collector c = new Collector(lab.kafka().bootstrapServers(), topics.output(), topics.deadLetter(), ledger);
            collector = (deadLettersLater ? c.deadLettersLater() : c).start();
        }
        return this;
    }

    /** Waits until forecasts flow for events sent after the last fault. */
    void awaitRecovered(Duration atMost) {
        Awaitility.await().alias(run + ": forecasts flow again after fault " + faults.count() + " (logs: " + lab.dir().resolve(run) + ")")
                .atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
                    collector.check();
                    return faults.recovered(ledger) && ledger.forecastsSeen() > 0;
                });
    }

    /**
     * Sends the rest (up to the sender's limit) as fast as possible and waits for all the output,
     * or until none comes for the lab's patience.
     */
    void finish() {
        sender.rate(0);
        lab.awaitOutput(ledger, sender, collector, lab.patience());
    }

    /** Sends the rest as fast as possible and waits for every forecast (or none for the lab's patience); dead letters are not awaited. */
    void awaitForecasts() {
        sender.rate(0);
        lab.awaitForecasts(ledger, sender, collector, lab.patience());
    }

    /** After {@link #awaitForecasts()}: reads the dead letters (a collector started with dead letters later) and waits for all output. */
    void finishDeadLetters() {
        collector.readDeadLetters();
        lab.awaitOutput(ledger, sender, collector, lab.patience());
    }

    /** The figures of the run, with the notes every run has (per-fault costs, dead-letter reasons). */
    Figures figures(String scenario, String label, boolean exactlyOnce, long retrains, List<String> notes, List<String> misses)
            throws IOException {
        Ledger.Tally t = ledger.tally();
        List<String> all = new ArrayList<>(notes);
        if (faults.count() > 0) {
            all.add("no forecast at all after each fault (s): " + faults.stalls(ledger));
            all.addAll(faults.describe(ledger));
        }
        if (!t.reasons().isEmpty()) {
            all.add("dead letters by reason: " + t.reasons());
        }
        if (t.sendFailures() > 0) {
            all.add(t.sendFailures() + " records the producer could not write (not counted as sent)");
        }
        if (t.unexpected() > 0) {
            all.add(t.unexpected() + " events among a key's first n-steps - 1 got a forecast (records processed twice after a crash "
                    + "entered the key's history twice)");
        }
        if (!t.lostSample().isEmpty()) {
            all.add("lost, first sequence numbers: " + t.lostSample());
        }
        return Figures.of(scenario, label, t, faults.count(), retrains, fleet.threadDeaths(), backlog ? null : ledger.longestWait(),
                faults.longestRecovery(ledger), all, exactlyOnce, misses);
    }

    @Override
    public void close() throws Exception {
        try {
            if (sender != null) {
                sender.close();
            }
        } finally {
            try {
                if (collector != null) {
                    collector.close();
                }
            } finally {
                fleet.close();
            }
        }
    }
}
