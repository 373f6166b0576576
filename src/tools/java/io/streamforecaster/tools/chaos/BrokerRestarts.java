package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * S2 and S3: brokers go away under the running service, which must ride through without a restart
 * or a thread death and lose nothing. S2: the only broker is stopped and started again on the same
 * log directory. S3: a three-node cluster with replication factor 3 and {@code min.insync.replicas}
 * 2 loses a node to {@code kill -9} (the one leading most input partitions) and gets it back.
 */
public final class BrokerRestarts implements Scenario {

    /**
     * @param nodes Kafka nodes (1: S2, 3: S3)
     * @param faults broker restarts (S2) or node losses (S3)
     * @param kill {@code kill -9} (S3) rather than a controlled stop (S2)
     * @param rate records per second while the faults happen
     */
    public record Options(String id, int nodes, int faults, boolean kill, int keys, int badEvery, int partitions,
                          double rate, long seed) {

        public static Options s2(boolean quick) {
            return quick ? new Options("S2", 1, 1, false, 100, 100, 4, 150, 2)
                    : new Options("S2", 1, 5, false, 500, 100, 4, 400, 2);
        }

        public static Options s3(boolean quick) {
            return quick ? new Options("S3", 3, 1, true, 100, 100, 4, 150, 3)
                    : new Options("S3", 3, 2, true, 500, 100, 4, 400, 3);
        }
    }

    private final Options options;

    public BrokerRestarts(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return options.id();
    }

    @Override
    public String title() {
        return options.nodes() == 1
                ? String.format(Locale.ROOT, "%d x broker stop and start on the same log directory, mid-stream", options.faults())
                : String.format(Locale.ROOT, "3 brokers, replication factor 3, min.insync.replicas 2: %d x kill -9 of one and its return",
                options.faults());
    }

    @Override
    public int brokers() {
        return options.nodes();
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        return List.of(runOnce(lab));
    }

    private Figures runOnce(Lab lab) throws Exception {
        String run = options.id().toLowerCase(Locale.ROOT);
        // records for an hour at the rate: the run stops sending once the faults are over and forecasts flow again
        Workload.Series workload = new Workload.Series(options.keys(), (int) (options.rate() * 3600), options.badEvery(), Lab.MAX_BYTES);
        Map<String, String> overrides = options.nodes() > 1 ? Map.of("kafka-streams.replication.factor", "3") : Map.of();
        Random random = new Random(options.seed());
        List<String> notes = new ArrayList<>();
        List<Long> backAt = new ArrayList<>();
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), false, false, overrides)) {
            Fleet.Instance service = h.fleet().add("forecaster-0", Map.of(), Map.of()).start();
            long pid = service.pid();
            h.stream(options.rate());
            BrokerCluster kafka = lab.kafka();
            for (int f = 1; f <= options.faults(); f++) {
                h.awaitRecovered(Duration.ofMinutes(5));
                Pause.of(Duration.ofMillis(2000 + random.nextInt(6000)));
                int node = options.nodes() == 1 ? 1 : kafka.busiestLeader(h.topics().input());
                long asked = System.nanoTime();
                if (options.kill()) {
                    kafka.kill(node);
                } else {
                    kafka.stop(node);
                }
                // the fault counts from when the node is gone: a controlled stop serves until it ends
                long at = h.faults().inject((options.kill() ? "kill -9 of node " : "stop of node ") + node);
                Pause.of(Duration.ofMillis(2000 + random.nextInt(3000))); // the node stays away a moment
                kafka.restart(node);
                long back = System.nanoTime();
                backAt.add(back);
                String line = String.format(Locale.ROOT, "fault %d: node %d took %.1f s to go, was away %.1f s (its start: %s)", f, node,
                        (at - asked) / 1e9, (back - at) / 1e9, kafka.lastStart(node));
                lab.say("  %s", line);
                notes.add(line);
                if (options.nodes() > 1) { // the next loss must not take a second in-sync replica
                    org.awaitility.Awaitility.await().alias("all replicas in sync again").atMost(Duration.ofMinutes(3))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> kafka.fullyReplicated(List.of(h.topics().input(), h.topics().output())));
                }
            }
            h.awaitRecovered(Duration.ofMinutes(5));
            h.sender().limit(h.sender().sent());
            h.finish();
            for (int f = 0; f < backAt.size(); f++) {
                long flowing = h.ledger().firstForecastOfInputSentAfter(backAt.get(f));
                notes.add(String.format(Locale.ROOT, "fault %d: forecasts of new events %s after the node was back", f + 1,
                        flowing < 0 ? "never came" : String.format(Locale.ROOT, "came %.1f s", (flowing - backAt.get(f)) / 1e9)));
            }
            List<String> misses = new ArrayList<>();
            if (!service.isAlive() || service.pid() != pid) {
                misses.add("the service process did not ride through (it exited or was restarted)");
            }
            notes.add(service.isAlive() && service.pid() == pid ? "the service process ran throughout (same pid, alive at the end)"
                    : "the service process exited");
            return h.figures(options.id(), options.nodes() == 1 ? "1 broker, at-least-once" : "3 brokers, RF 3, min ISR 2, at-least-once",
                    false, h.fleet().retrainsBeyondFirst(), notes, misses);
        }
    }
}
