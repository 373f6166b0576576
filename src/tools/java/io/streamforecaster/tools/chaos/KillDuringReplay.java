package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * S1: the service is killed ({@code kill -9}) at random moments during a replay with bad records
 * mixed in, and restarted at once on its state directory, as Kubernetes restarts a container. Each
 * variant is one run: at-least-once or {@code exactly_once_v2} (read back with
 * {@code read_committed}), with static group membership ({@code FORECASTER_INSTANCE_ID}) or without.
 */
public final class KillDuringReplay implements Scenario {

    /**
     * One run's processing guarantee and group membership.
     *
     * @param kills kills in this run (0: the options' number)
     */
    public record Variant(String name, boolean exactlyOnce, boolean staticMembership, int kills) {
    }

    /**
     * @param keys series
     * @param records input records in all, bad ones included
     * @param badEvery one record in this many is bad
     * @param kills kills per run
     * @param partitions input partitions
     */
    public record Options(int keys, int records, int badEvery, int kills, int partitions, List<Variant> variants, long seed,
                          Duration longestPause) {

        /**
         * The fault matrix's runs: 20 kills during 200,000 events over 1,000 keys under each
         * guarantee (with static membership, as the StatefulSet sets it), and 5 kills under each
         * without it, where every restart waits for the old session to expire, to compare the stalls.
         */
        public static Options full() {
            return new Options(1000, 202_000, 100, 20, 4, List.of(
                    new Variant("at-least-once, static membership", false, true, 0),
                    new Variant("exactly-once, static membership", true, true, 0),
                    new Variant("at-least-once, dynamic membership", false, false, 5),
                    new Variant("exactly-once, dynamic membership", true, false, 5)), 1, Duration.ofMillis(11_500));
        }

        /**
         * The integration test's: kills per guarantee with static membership (restarts take
         * seconds, not a session timeout), at shorter random moments.
         */
        public static Options quick() {
            return new Options(100, 10_000, 50, 2, 4, List.of(
                    new Variant("at-least-once, static membership", false, true, 0),
                    new Variant("exactly-once, static membership", true, true, 0)), 1, Duration.ofSeconds(3));
        }

        public Options withKills(int k) {
            return new Options(keys, records, badEvery, k, partitions, variants, seed, longestPause);
        }

        /** Kills in this variant's run. */
        public int kills(Variant v) {
            return v.kills() > 0 ? Math.min(v.kills(), kills) : kills;
        }
    }

    /** The commit interval of the exactly-once runs: Kafka Streams' own default under exactly-once. */
    static final String EOS_COMMIT_INTERVAL_MS = "100";

    private final Options options;

    public KillDuringReplay(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "S1";
    }

    @Override
    public String title() {
        return String.format(Locale.ROOT, "kill -9 of the service (%d times per run with static membership) during a replay of %,d records "
                + "over %,d keys", options.kills(), options.records(), options.keys());
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        List<Figures> out = new ArrayList<>();
            int i = 0;
            for (Variant v : options.variants()) {
                out.add(run(lab, "s1-" + i++, v));
            }
        return out;
    }

    private Figures run(Lab lab, String run, Variant v) throws Exception {
        int kills = options.kills(v);
        lab.say("S1 %s: %d kills", v.name(), kills);
        Workload.Series workload = new Workload.Series(options.keys(), options.records(), options.badEvery(), Lab.MAX_BYTES);
        Map<String, String> overrides = new HashMap<>();
        if (v.exactlyOnce()) {
            overrides.put("kafka-streams.processing.guarantee", "exactly_once_v2");
            overrides.put("kafka-streams.commit.interval.ms", EOS_COMMIT_INTERVAL_MS);
        }
        Map<String, String> env = v.staticMembership() ? Map.of("FORECASTER_INSTANCE_ID", "forecaster-0") : Map.of();
        Random random = new Random(options.seed());
        List<Long> readyAfter = new ArrayList<>();
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), false, false, overrides)) {
            Fleet.Instance service = h.fleet().add("forecaster-0", Map.of(), env).start();
            double cycle = v.staticMembership() ? 25 : 75; // seconds per kill, a first guess; then measured
            h.stream(rate(options.records(), kills, cycle));
            long runStart = System.nanoTime();
            for (int k = 1; k <= kills; k++) {
                h.awaitRecovered(Duration.ofMinutes(5));
                // a random moment: anywhere in a commit interval (10 s at-least-once), with records in flight
                Pause.of(Duration.ofMillis(500 + random.nextInt((int) options.longestPause().toMillis() - 499)));
                long at = h.faults().inject("kill -9 #" + k);
                service.kill();
                service.launch();
                service.awaitReady();
                readyAfter.add(System.nanoTime() - at);
                double measured = (System.nanoTime() - runStart) / 1e9 / k;
                h.sender().rate(rate(options.records() - h.sender().sent(), kills - k, measured));
                lab.say("  kill %d/%d: ready again after %.1f s; %,d records sent", k, kills, (System.nanoTime() - at) / 1e9,
                        h.sender().sent());
            }
            h.awaitRecovered(Duration.ofMinutes(5));
            h.finish();
            List<String> notes = new ArrayList<>();
            notes.add("kill to ready again (s): " + join(readyAfter));
            return h.figures("S1", v.name(), v.exactlyOnce(), h.fleet().retrainsBeyondFirst(), notes, List.of());
        }
    }

    private static double rate(int remaining, int killsLeft, double secondsPerKill) {
        return Math.max(50, remaining / (Math.max(killsLeft, 0) * secondsPerKill + 10));
    }

    private static String join(List<Long> nanos) {
        StringBuilder s = new StringBuilder();
        for (long n : nanos) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", n / 1e9));
        }
        return s.toString();
    }
}
