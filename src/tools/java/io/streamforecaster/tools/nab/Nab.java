package io.streamforecaster.tools.nab;

import io.streamforecaster.tools.OptionValues;
import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.anomaly.AnomalySettings;
import io.streamforecaster.anomaly.AnomalyState;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.Variant;
import io.streamforecaster.tools.Args;
import io.streamforecaster.tools.ServiceDefaults;
import io.streamforecaster.tools.backtest.Models;
import io.streamforecaster.tools.backtest.Protocol;
import io.streamforecaster.tools.nab.NabCorpus.NabSeries;
import io.streamforecaster.tools.nab.NabScorer.CorpusScore;
import io.streamforecaster.tools.nab.NabScorer.FileScore;
import io.streamforecaster.tools.nab.NabScorer.Profile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code forecaster nab}: the service's anomaly scores over a corpus in the layout of the Numenta
 * Anomaly Benchmark, scored as NAB scores them.
 */
public final class Nab {

    static final String USAGE = """
            Usage: forecaster nab --corpus DIR [--profile P] [--json] [--variant V] [--forecasts lstm|naive]
                                  [--only FILE,...] [--threads N] [--set key=value,...] [--no-cache] [--cache DIR]

            Runs the service's own per-observation step (forecast, prediction interval, anomaly score)
            over every series of a corpus in the layout of the Numenta Anomaly Benchmark
            (DIR/data/<category>/*.csv and DIR/labels/combined_windows.json), each file as a fresh key
            under the backtest's training protocol (a refit every 64 steps from record min(256, N/3) on,
            on at most the last 512 points), and scores the anomaly scores as NAB does: anomaly windows,
            scaled sigmoid, 15 % probation, one threshold per profile chosen by a sweep over the corpus,
            normalised so that a detector that never fires scores 0 and one that fires at the start of
            every window scores 100. Prints the score per profile, the thresholds, per file the raw score,
            the windows detected and the TP/FP/FN/TN record counts, and, where DIR/results holds NAB's
            published results, their scores over the same files, normalised the same way.
              --corpus DIR    the corpus, e.g. ../shared/datasets/nab
              --profile P     standard, reward_low_FP_rate, reward_low_FN_rate or all (default)
              --json          one JSON object instead of tables
              --variant V     the LSTM variant: vanilla, stacked or bidirectional (default: the service's)
              --forecasts F   lstm (default): the service's models, refit under the protocol; naive: no
                              model ever, every forecast the naive one a key serves before its first model
              --only F,...    score these files of the corpus only (their names in the labels, e.g.
                              realKnownCause/nyc_taxi.csv)
              --threads N     files run in parallel (default: the number of cores)
              --set k=v,...   service settings: forecaster.anomaly.* (the detector; no retraining) and
                              any other forecaster.* setting (the forecasts; these retrain)
              --no-cache      recompute the forecasts even where the cache holds them
              --cache DIR     where forecasts are cached (default target/nab-cache)
            The forecasts of each file are cached, keyed by the file's content and the forecasting
            settings: a run that changes only forecaster.anomaly.* settings takes seconds, a cold run
            of the 51 shared files with LSTM refits takes about 5 minutes on 2 cores with the Java training engine (ANOMALIES.md).
            """;

    static final Path CACHE = Path.of("target", "nab-cache");

    private Nab() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, args -> System.exit(run(args, System.out, System.err)));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Path corpusDir = null;
        String profile = "all";
        boolean json = false;
        boolean cache = true;
        boolean naive = false;
        Path cacheDir = CACHE;
        List<String> only = null;
        int threads = Runtime.getRuntime().availableProcessors();
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--corpus" -> corpusDir = Path.of(OptionValues.value(argv, ++i, a));
                case "--profile" -> profile = OptionValues.value(argv, ++i, a);
                case "--json" -> json = true;
                case "--no-cache" -> cache = false;
                case "--cache" -> cacheDir = Path.of(OptionValues.value(argv, ++i, a));
                case "--only" -> only = List.of(OptionValues.value(argv, ++i, a).split(","));
                case "--forecasts" -> {
                    String f = OptionValues.value(argv, ++i, a);
                    if (!f.equals("lstm") && !f.equals("naive")) {
                        throw new IllegalArgumentException("--forecasts takes lstm or naive, got '" + f + "'");
                    }
                    naive = f.equals("naive");
                }
                case "--variant" -> overrides.put("forecaster.model.variant", Variant.parse(OptionValues.value(argv, ++i, a)).id());
                case "--threads" -> threads = OptionValues.positive(OptionValues.value(argv, ++i, a), a);
                case "--set" -> OptionValues.putSettings(OptionValues.value(argv, ++i, a), overrides);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (corpusDir == null) {
            throw new IllegalArgumentException("option --corpus is required");
        }
        List<Profile> profiles = profile.equals("all") ? Profile.ALL : List.of(Profile.parse(profile));
        AnomalySettings anomaly = AnomalyOptions.settings(overrides);
        Map<String, String> forecasting = new HashMap<>(overrides);
        forecasting.keySet().removeIf(k -> k.startsWith(AnomalyOptions.PREFIX));
        StreamSettings settings = ServiceDefaults.settings(forecasting);
        NabCorpus corpus = NabCorpus.read(corpusDir, only);

        long start = System.nanoTime();
        List<ForecastTrace> traces = traces(corpus, settings, naive, cache, cacheDir, threads, err);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<double[]> scores = new ArrayList<>();
        for (ForecastTrace trace : traces) {
            scores.add(detect(trace, anomaly));
        }
        List<CorpusScore> results = new ArrayList<>();
        for (Profile p : profiles) {
            results.add(NabScorer.score(corpus.series(), scores, p));
        }
        if (json) {
            printJson(corpus, settings, naive, anomaly, traces, results, seconds, out);
        } else {
            printTables(corpus, settings, naive, anomaly, traces, results, seconds, out);
        }
        return 0;
    }

    /** Runs the detector over one file's records: one fresh key state, one step per record. */
    static double[] detect(ForecastTrace trace, AnomalySettings settings) {
        AnomalyState state = new AnomalyState();
        double[] out = new double[trace.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = state.step(trace.inputs()[i], settings).score();
        }
        return out;
    }

    static List<ForecastTrace> traces(NabCorpus corpus, StreamSettings settings, boolean naive, boolean useCache, Path cacheDir,
                                      int threads, PrintStream err)
            throws Exception {
        List<NabSeries> series = corpus.series();
        // the longest first, so that the two cores finish together
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(series.get(b).length(), series.get(a).length()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger done = new AtomicInteger();
        try {
            Map<Integer, Future<ForecastTrace>> futures = new HashMap<>();
            for (int i : order) {
                NabSeries s = series.get(i);
                futures.put(i, pool.submit(() -> {
                    Path file = cacheDir.resolve(cacheName(s, settings, naive));
                    ForecastTrace trace = useCache ? ForecastTrace.read(file) : null;
                    String how = "cached";
                    long t0 = System.nanoTime();
                    if (trace == null || trace.length() != s.length()) {
                        int total = naive ? 0 : Protocol.refits(s.length());
                        Models.Refitter refitter = naive ? (x, t, current) -> null : Models.lstmRefitter(settings.training());
                        trace = ForecastTrace.run(s.values(), settings, refitter, k -> {
                            if (k % 50 == 0 && k < total) {
                                err.printf(Locale.ROOT, "  %s: refit %d of %d (%.0f s)%n", s.name(), k, total, (System.nanoTime() - t0) / 1e9);
                            }
                        });
                        trace.write(file);
                        how = String.format(Locale.ROOT, "%d refits, %.0f s", total, (System.nanoTime() - t0) / 1e9);
                    }
                    err.printf(Locale.ROOT, "nab: [%d/%d] %s: %d records (%s)%n", done.incrementAndGet(), series.size(), s.name(),
                            s.length(), how);
                    return trace;
                }));
            }
            List<ForecastTrace> traces = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                traces.add(futures.get(i).get());
            }
            return traces;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The cache entry of a file's forecasts: its name, a digest of its values and of the settings
     * the service's step forecasts with (training, serving, history, cold start). Not of the code:
     * after a change to how the service forecasts, run with {@code --no-cache}.
     */
    static String cacheName(NabSeries s, StreamSettings settings, boolean naive) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(s.name().getBytes(StandardCharsets.UTF_8));
        var b = java.nio.ByteBuffer.allocate(8 * s.length());
        for (double v : s.values()) {
            b.putDouble(v);
        }
        md.update(b.array());
        String forecasting = "training=" + settings.training() + ";serving=" + settings.serving() + ";history=" + settings.historySize()
                + ";coldStart=" + settings.coldStart() + ";accuracyWindow=" + settings.accuracyWindow();
        md.update((naive ? "naive" : forecasting).getBytes(StandardCharsets.UTF_8));
        String digest = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        return s.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + digest + ".trace";
    }

    private static void printTables(NabCorpus corpus, StreamSettings settings, boolean naive, AnomalySettings anomaly,
                                    List<ForecastTrace> traces, List<CorpusScore> results, double seconds, PrintStream out)
            throws Exception {
        out.printf(Locale.ROOT, "NAB: %d files, %d windows, %s; forecasts %s (%.0f s)%n", corpus.series().size(), corpus.windows(),
                corpus.root(), naive ? "naive only" : forecasts(settings, traces), seconds);
        out.println("anomaly: " + anomaly);
        out.printf("%-20s %7s %10s %10s %10s %-20s %9s %10s%n", "profile", "score", "raw", "null", "perfect", "threshold", "detected",
                "FP records");
        for (CorpusScore r : results) {
            out.printf(Locale.ROOT, "%-20s %7.1f %10.3f %10.3f %10.3f %-20.6g %4d/%-4d %10d%n", r.profile().name(), r.normalized(), r.raw(),
                    r.nullRaw(), r.perfectRaw(), r.threshold(), detected(r), corpus.windows(), r.files().stream().mapToInt(FileScore::fp).sum());
        }
        List<PublishedResults.Normalised> published = PublishedResults.normalise(corpus.root(), results);
        if (!published.isEmpty()) {
            out.println();
            out.println("NAB's published results over the same files, normalised the same way (" + corpus.root().resolve("results") + "):");
            out.printf("%-20s", "detector");
            results.forEach(r -> out.printf(" %20s", r.profile().name()));
            out.println();
            Map<String, List<PublishedResults.Normalised>> byDetector = new java.util.TreeMap<>();
            published.forEach(n -> byDetector.computeIfAbsent(n.detector(), k -> new ArrayList<>()).add(n));
            byDetector.entrySet().stream()
                    .sorted((a, b) -> Double.compare(b.getValue().get(0).score(), a.getValue().get(0).score()))
                    .forEach(e -> {
                        out.printf("%-20s", e.getKey());
                        for (PublishedResults.Normalised n : e.getValue()) {
                            int all = corpus.series().size();
                            out.printf(Locale.ROOT, " %20s", n.files() == all ? String.format(Locale.ROOT, "%.1f", n.score())
                                    : String.format(Locale.ROOT, "(%d of %d files)", n.files(), all));
                        }
                        out.println();
                    });
        }
        for (CorpusScore r : results) {
            out.println();
            out.printf(Locale.ROOT, "%s, threshold %s%n", r.profile().name(), r.threshold());
            out.printf("%-58s %7s %8s %8s %5s %5s %6s %6s%n", "file", "records", "detected", "raw", "TP", "FP", "FN", "TN");
            for (int f = 0; f < r.files().size(); f++) {
                FileScore s = r.files().get(f);
                NabSeries series = corpus.series().get(f);
                out.printf(Locale.ROOT, "%-58s %7d %4d/%-3d %8.3f %5d %5d %6d %6d%n", s.file(), series.length(), s.windowsDetected(),
                        series.windows().size(), s.raw(), s.tp(), s.fp(), s.fn(), s.tn());
            }
        }
    }

    private static int detected(CorpusScore r) {
        return r.files().stream().mapToInt(FileScore::windowsDetected).sum();
    }

    private static String forecasts(StreamSettings settings, List<ForecastTrace> traces) {
        long lstm = 0;
        long total = 0;
        for (ForecastTrace t : traces) {
            for (Source s : t.sources()) {
                if (s != Source.NONE) {
                    total++;
                    if (s == Source.LSTM) {
                        lstm++;
                    }
                }
            }
        }
        return String.format(Locale.ROOT, "lstm-%s (%.0f %% of the judged forecasts from the LSTM, the others naive)",
                settings.training().variant().id(), 100.0 * lstm / Math.max(1, total));
    }

    private static void printJson(NabCorpus corpus, StreamSettings settings, boolean naive, AnomalySettings anomaly,
                                  List<ForecastTrace> traces, List<CorpusScore> results, double seconds, PrintStream out)
            throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.createObjectNode();
        root.put("corpus", corpus.root().toString());
        root.put("files", corpus.series().size());
        root.put("windows", corpus.windows());
        root.put("forecasts", naive ? "naive" : "lstm-" + settings.training().variant().id());
        root.put("anomaly", anomaly.toString());
        root.put("forecastSeconds", seconds);
        var profiles = root.putArray("profiles");
        for (CorpusScore r : results) {
            var p = profiles.addObject();
            p.put("profile", r.profile().name());
            p.put("score", r.normalized());
            p.put("raw", r.raw());
            p.put("null", r.nullRaw());
            p.put("perfect", r.perfectRaw());
            p.put("threshold", r.threshold());
            p.put("windowsDetected", detected(r));
            var files = p.putArray("files");
            for (FileScore s : r.files()) {
                var f = files.addObject();
                f.put("file", s.file());
                f.put("raw", s.raw());
                f.put("windowsDetected", s.windowsDetected());
                f.put("tp", s.tp());
                f.put("fp", s.fp());
                f.put("fn", s.fn());
                f.put("tn", s.tn());
            }
        }
        var published = root.putArray("published");
        for (PublishedResults.Normalised n : PublishedResults.normalise(corpus.root(), results)) {
            var o = published.addObject();
            o.put("detector", n.detector());
            o.put("profile", n.profile().name());
            o.put("score", n.score());
            o.put("files", n.files());
        }
        out.println(mapper.writeValueAsString(root));
    }

}
