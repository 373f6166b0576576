package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code exactly_once_v2} costs, measured against at-least-once in the same run on the same
 * broker: the end-to-end latency of a forecast (from the send of its observation to its arrival at a
 * {@code read_committed} reader) at a steady rate, for several commit intervals, and the
 * throughput on a backlog. Under exactly-once a forecast becomes visible when its transaction
 * commits, once per commit interval.
 */
public final class EosCost implements Scenario {

    /**
     * @param rate records per second of the latency runs
     * @param span how long each latency run sends (its first fifth is the warm-up, not counted)
     * @param backlog records of the throughput runs
     */
    public record Options(int keys, int partitions, double rate, Duration span, int backlog) {

        public static Options full() {
            return new Options(200, 4, 1000, Duration.ofSeconds(60), 200_000);
        }

        public static Options quick() {
            return new Options(50, 2, 300, Duration.ofSeconds(15), 20_000);
        }
    }

    /** A run's guarantee and commit interval (null: the service's default, 10 s). */
    record Setting(String name, boolean exactlyOnce, String commitIntervalMs) {
    }

    static final List<Setting> SETTINGS = List.of(
            new Setting("at-least-once, commit interval 10 s (the default)", false, null),
            new Setting("exactly_once_v2, commit interval 100 ms", true, "100"),
            new Setting("exactly_once_v2, commit interval 1 s", true, "1000"),
            new Setting("exactly_once_v2, commit interval 10 s (the default left as is)", true, null));

    private final Options options;

    public EosCost(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "eos-cost";
    }

    @Override
    public String title() {
        return String.format(Locale.ROOT, "the latency and throughput cost of exactly_once_v2 at %,.0f records/s over %d keys",
                options.rate(), options.keys());
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        List<Figures> out = new ArrayList<>();
            double baseP50 = Double.NaN;
            int i = 0;
            for (Setting s : SETTINGS) {
                Latency l = latency(lab, "eos-latency-" + i++, s);
                if (i == 1) {
                    baseP50 = l.p50();
                }
                List<String> notes = List.of(String.format(Locale.ROOT,
                        "latency from send to a read_committed reader: p50 %.0f ms, p99 %.0f ms, max %.0f ms (p50 %.1f x at-least-once's)",
                        l.p50(), l.p99(), l.max(), l.p50() / baseP50));
                out.add(withNotes(l.figures(), notes));
            }
            double baseRate = Double.NaN;
            for (Setting s : List.of(SETTINGS.get(0), SETTINGS.get(1))) {
                Throughput t = throughput(lab, "eos-backlog-" + i++, s);
                if (Double.isNaN(baseRate)) {
                    baseRate = t.rate();
                }
                out.add(withNotes(t.figures(), List.of(String.format(Locale.ROOT, "throughput on a backlog of %,d records: %,.0f/s (%.2f x at-least-once's)",
                        options.backlog(), t.rate(), t.rate() / baseRate))));
            }
        return out;
    }

    record Latency(Figures figures, double p50, double p99, double max) {
    }

    record Throughput(Figures figures, double rate) {
    }

    private Latency latency(Lab lab, String run, Setting s) throws Exception {
        lab.say("eos-cost: latency, %s", s.name());
        int records = (int) (options.rate() * options.span().toSeconds());
        Workload.Series workload = new Workload.Series(options.keys(), records, 0, Lab.MAX_BYTES);
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), false, false, overrides(s))) {
            h.fleet().add("forecaster-0", Map.of(), Map.of()).start();
            h.stream(options.rate());
            h.sender().awaitSent(options.span().plusMinutes(2));
            h.finish();
            long[] waits = h.ledger().waits(records / 5);
            Figures f = h.figures("eos-cost", "latency, " + s.name(), s.exactlyOnce(), -1, List.of(), List.of());
            return new Latency(f, percentile(waits, 0.5), percentile(waits, 0.99), percentile(waits, 1.0));
        }
    }

    private Throughput throughput(Lab lab, String run, Setting s) throws Exception {
        lab.say("eos-cost: throughput on a backlog, %s", s.name());
        Workload.Series workload = new Workload.Series(options.keys(), options.backlog(), 0, Lab.MAX_BYTES);
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), false, false, overrides(s))) {
            h.backlog().preload(workload.size());
            h.sender().awaitSent(Duration.ofMinutes(5));
            h.startCollector();
            h.fleet().add("forecaster-0", Map.of(), Map.of()).start();
            h.finish();
            Ledger.Arrivals a = h.ledger().arrivals();
            double rate = h.ledger().tally().forecastsExpected() / Math.max(1e-9, (a.last() - a.firstAtOrAfter(0)) / 1e9);
            return new Throughput(h.figures("eos-cost", "backlog, " + s.name(), s.exactlyOnce(), -1, List.of(), List.of()), rate);
        }
    }

    private static Map<String, String> overrides(Setting s) {
        Map<String, String> o = new java.util.HashMap<>();
        if (s.exactlyOnce()) {
            o.put("kafka-streams.processing.guarantee", "exactly_once_v2");
        }
        if (s.commitIntervalMs() != null) {
            o.put("kafka-streams.commit.interval.ms", s.commitIntervalMs());
        }
        return o;
    }

    /** Milliseconds at this quantile of sorted nanosecond waits. */
    static double percentile(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(q * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    private static Figures withNotes(Figures f, List<String> extra) {
        List<String> notes = new ArrayList<>(extra);
        notes.addAll(f.notes());
        return new Figures(f.scenario(), f.run(), f.eventsSent(), f.badSent(), f.faults(), f.forecastsExpected(), f.forecastsObserved(),
                f.lost(), f.duplicated(), f.unexpected(), f.deadLetters(), f.badWithoutDeadLetter(), f.deadLettersDuplicated(),
                f.goodDeadLettered(), f.retrains(), f.threadDeaths(), f.longestStall(), f.timeToRecover(), notes, f.misses());
    }
}
