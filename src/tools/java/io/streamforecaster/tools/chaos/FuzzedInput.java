package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * S7: fuzzed records interleaved with good ones, against a clean run of the same good records
 * (same keys, values and timestamps), both with training off. Every fuzzed record must be in the
 * dead-letter topic with a reason, no stream thread may die, the good records' forecasts must be
 * the same bytes as in the clean run, and the good records must go through at least 0.8 times as
 * fast (throughput measured on a backlog: everything is in the input topic before the service starts).
 */
public final class FuzzedInput implements Scenario {

    /** The least share of the clean run's good-record throughput the fuzzed run must keep (a figure of the command, not of the test). */
    static final double THROUGHPUT_GOAL = 0.8;
    /** Training off: a key would need this many observations for a first model, and none gets that many. */
    static final int TRAINING_OFF_MIN_OBSERVATIONS = 512;

    public record Options(int keys, int goodRecords, int fuzz, int partitions, long seed) {

        public static Options full() {
            return new Options(1000, 300_000, 10_000, 4, 7);
        }

        public static Options quick() {
            return new Options(100, 30_000, 2_000, 2, 7);
        }

        /**
         * {@code factor} times the keys, good and fuzzed records: a longer run of the same mix, whose
         * keys get as many observations each (so training stays off) and whose fuzz is as dense.
         */
        public Options scaled(int factor) {
            try {
                return new Options(Math.multiplyExact(keys, factor), Math.multiplyExact(goodRecords, factor),
                        Math.multiplyExact(fuzz, factor), partitions, seed);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("S7 scaled " + factor + " times would have more than " + Integer.MAX_VALUE + " records");
            }
        }
    }

    private final Options options;

    public FuzzedInput(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "S7";
    }

    @Override
    public String title() {
        return String.format(Locale.ROOT, "%,d fuzzed records among %,d good ones, against a clean run", options.fuzz(), options.goodRecords());
    }

    /** A run's forecasts by sequence number, and its good-record throughput. */
    record Outcome(Figures figures, byte[][] forecasts, boolean[] expected, double goodPerSecond, double laterHalfPerSecond,
            PlainClients.Times plain, Cpu cpu) {
    }

    /**
     * CPU seconds used from the first forecast's arrival until every forecast was in (the span the
     * throughput is measured over): by the service, the broker(s) and this tool; the service's
     * threads by kind since its start; and the span's length.
     */
    record Cpu(double service, double broker, double tool, double span, Map<String, Double> serviceThreads) {

        /** A run without a forecast has no span. */
        static final Cpu NONE = new Cpu(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Map.of());

        static Cpu between(CpuSampler.Reading from, CpuSampler.Reading to, Map<String, Double> serviceThreads) {
            return new Cpu(to.service() - from.service(), to.broker() - from.broker(), to.tool() - from.tool(), (to.nanos() - from.nanos()) / 1e9,
                    serviceThreads);
        }

        double total() {
            return service + broker + tool;
        }

        /** The share of the machine's cores the three processes kept busy over the span. */
        double busy() {
            return total() / (span * Runtime.getRuntime().availableProcessors());
        }

        String describe() {
            return String.format(Locale.ROOT, "%.1f core-s over %.1f s, %.0f %% of the cores (service %.1f, broker %.1f, this tool %.1f)",
                    total(), span, 100 * busy(), service, broker, tool);
        }
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        long t0 = System.currentTimeMillis();
        Outcome clean = run(lab, "s7-clean", true, t0);
        Outcome fuzzed = run(lab, "s7-fuzzed", false, t0);
        long differ = 0;
        long compared = 0;
        for (int s = 0; s < clean.forecasts().length; s++) {
            if (clean.expected()[s]) {
                compared++;
                if (!Arrays.equals(clean.forecasts()[s], fuzzed.forecasts()[s])) {
                    differ++;
                }
            }
        }
        double ratio = fuzzed.goodPerSecond() / clean.goodPerSecond();
        List<String> notes = new ArrayList<>(fuzzed.figures().notes());
        notes.add(String.format(Locale.ROOT, "good records' forecasts: %,d of %,d the same bytes as in the clean run", compared - differ, compared));
        notes.add(String.format(Locale.ROOT, "good-record throughput on a backlog: %,.0f/s fuzzed, %,.0f/s clean: ratio %.2f (goal %.1f)",
                fuzzed.goodPerSecond(), clean.goodPerSecond(), ratio, THROUGHPUT_GOAL));
        notes.add(String.format(Locale.ROOT, "the later half of the forecasts alone: %,.0f/s fuzzed, %,.0f/s clean: ratio %.2f",
                fuzzed.laterHalfPerSecond(), clean.laterHalfPerSecond(), fuzzed.laterHalfPerSecond() / clean.laterHalfPerSecond()));
        // plain clients over the same input: what its bytes cost before any processing
        notes.add(String.format(Locale.ROOT, "reference, plain clients on one thread with the service's client settings and no processing:"
                + " reading the input takes %.1f s fuzzed,"
                + " %.1f s clean (ratio %.2f); reading it and copying every record to a topic %.1f s fuzzed, %.1f s clean (ratio %.2f)",
                fuzzed.plain().read(), clean.plain().read(), clean.plain().read() / fuzzed.plain().read(),
                fuzzed.plain().readAndCopy(), clean.plain().readAndCopy(), clean.plain().readAndCopy() / fuzzed.plain().readAndCopy()));
        // what each run cost the machine's cores: with them busy in both runs, every extra core-second is time
        int cores = Runtime.getRuntime().availableProcessors();
        double extra = fuzzed.cpu().total() - clean.cpu().total();
        double allowance = clean.cpu().total() * (1 / THROUGHPUT_GOAL - 1);
        notes.add(String.format(Locale.ROOT, "CPU used from the first forecast until the last: %s fuzzed, %s clean;"
                + " the fuzzed run's extra %.1f core-seconds take at least %.1f s on this machine's %d cores; with the cores busy, the goal allows %.1f",
                fuzzed.cpu().describe(), clean.cpu().describe(), extra, extra / cores, cores, allowance));
        notes.add(String.format(Locale.ROOT, "the broker's CPU to serve the whole input to a plain consumer: %.1f core-s fuzzed, %.1f clean",
                fuzzed.plain().readCpuBroker(), clean.plain().readCpuBroker()));
        notes.add("the service's CPU by thread, fuzzed against clean (s, the largest differences first): " + threadDifferences(fuzzed.cpu(), clean.cpu()));
        List<String> misses = new ArrayList<>(fuzzed.figures().misses());
        if (differ > 0) {
            misses.add(differ + " good records' forecasts differ from the clean run");
        }
        if (ratio < THROUGHPUT_GOAL) {
            misses.add(String.format(Locale.ROOT, "good-record throughput %.2f of the clean run's", ratio));
        }
        Figures f = fuzzed.figures();
        Figures withComparison = new Figures(f.scenario(), f.run(), f.eventsSent(), f.badSent(), f.faults(), f.forecastsExpected(),
                f.forecastsObserved(), f.lost(), f.duplicated(), f.unexpected(), f.deadLetters(), f.badWithoutDeadLetter(),
                f.deadLettersDuplicated(), f.goodDeadLettered(), f.retrains(), f.threadDeaths(), f.longestStall(), f.timeToRecover(),
                notes, List.copyOf(misses));
        return List.of(clean.figures(), withComparison);
    }

    private static String threadDifferences(Cpu fuzzed, Cpu clean) {
        Set<String> kinds = new TreeSet<>(fuzzed.serviceThreads().keySet());
        kinds.addAll(clean.serviceThreads().keySet());
        return kinds.stream()
                .sorted(Comparator.comparingDouble((String k) -> -Math.abs(fuzzed.serviceThreads().getOrDefault(k, 0.0) - clean.serviceThreads().getOrDefault(k, 0.0))))
                .limit(10)
                .map(k -> String.format(Locale.ROOT, "%s %.2f/%.2f", k, fuzzed.serviceThreads().getOrDefault(k, 0.0), clean.serviceThreads().getOrDefault(k, 0.0)))
                .collect(Collectors.joining(", "));
    }

    /**
     * How many of the expected forecasts are the good series': the number the good-record throughput
     * divides by. The fuzzed run's extreme but valid values get forecasts too (about 1,000 at full
     * size); counted in, they would add to the fuzzed run's rate what the clean run has no share of.
     */
    static long goodForecasts(boolean[] expected, FuzzWorkload workload) {
        long n = 0;
        for (int seq = 0; seq < Math.min(expected.length, workload.size()); seq++) {
            if (expected[seq] && workload.category(seq).equals("good")) {
                n++;
            }
        }
        return n;
    }

    private Outcome run(Lab lab, String run, boolean clean, long t0) throws Exception {
        lab.say("S7 %s run", clean ? "clean" : "fuzzed");
        FuzzWorkload workload = new FuzzWorkload(options.keys(), options.goodRecords(), options.fuzz(), clean, options.seed(), Lab.MAX_BYTES);
        Map<String, String> overrides = Map.of("forecaster.training.min-observations", Integer.toString(TRAINING_OFF_MIN_OBSERVATIONS));
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), false, true, overrides, t0)) {
            h.backlog().preload(workload.size());
            h.sender().awaitSent(Duration.ofMinutes(10));
            // the dead letters (550 MB at full size, nearly all oversized records) are read after the
            // forecasts: reading them beside the service would take its cores in the fuzzed run only
            h.startCollector(true);
            Fleet.Instance service = h.fleet().add("forecaster-0", Map.of(), Map.of()).start();
            Cpu cpu;
            Ledger.Arrivals arrivals;
            try (CpuSampler sampler = CpuSampler.start(service, lab.kafka())) {
                h.awaitForecasts();
                arrivals = h.ledger().arrivals();
                Map<String, Double> threads = new TreeMap<>(service.cpuByThreadKind());
                // CPU of threads that ended (the JVM stops compiler threads it no longer needs): what the live ones do not add up to
                double live = threads.values().stream().mapToDouble(Double::doubleValue).sum();
                threads.put("(threads that ended)", Math.max(0, service.cpuSeconds() - live));
                cpu = arrivals.size() == 0 ? Cpu.NONE : Cpu.between(sampler.at(arrivals.at(0)), sampler.at(arrivals.last()), threads);
            }
            String recording = service.dumpFlightRecording(lab.dir().resolve(run).resolve("forecaster-0.jfr"));
            if (!recording.isEmpty()) {
                lab.say("%s", recording);
            }
            h.finishDeadLetters();
            // afterwards, so that its writes are not on the broker's disk while the service is measured
            PlainClients.Times plain = PlainClients.measure(lab, h.topics().input());
            long first = arrivals.firstAtOrAfter(0);
            long last = arrivals.last();
            Ledger.Tally t = h.ledger().tally();
            // the good series' forecasts alone: the extreme values' keys (fuzzed run only) are observations too
            double rate = goodForecasts(h.ledger().expectedForecasts(), workload) / Math.max(1e-9, (last - first) / 1e9);
            // the later half of the forecasts: the service's pace without its first seconds (start-up,
            // the JIT's first compilations), which weigh more in a short run than in a service's life
            int half = arrivals.size() / 2;
            double laterHalf = (arrivals.size() - half) / Math.max(1e-9, (last - arrivals.at(half)) / 1e9);
            List<String> notes = new ArrayList<>();
            Map<String, Long> bytes = workload.bytesByCategory();
            long all = bytes.values().stream().mapToLong(Long::longValue).sum();
            notes.add(String.format(Locale.ROOT, "input: %,.1f MB in all, %,.1f MB of it good records%s; forecasts of good records came over %.1f s",
                    all / 1e6, bytes.getOrDefault("good", 0L) / 1e6,
                    clean ? "" : String.format(Locale.ROOT, ", %,.1f MB oversized records", bytes.getOrDefault("oversized", 0L) / 1e6),
                    (last - first) / 1e9));
            if (!clean) {
                notes.add("fuzzed records by category: " + FuzzWorkload.CATEGORIES.length + " kinds " + Arrays.toString(FuzzWorkload.CATEGORIES));
                notes.add("non-finite forecaster_* samples at the end: " + Fleet.Metrics.nonFinite(service.get("/q/metrics").body()));
            }
            Figures f = h.figures("S7", clean ? "clean run (good records only), training off" : "fuzzed run, training off", false, -1,
                    notes, List.of());
            return new Outcome(f, h.ledger().forecastBytes(), h.ledger().expectedForecasts(), rate, laterHalf, plain, cpu);
        }
    }
}
