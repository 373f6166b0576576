package io.streamforecaster.tools.backtest;

import io.streamforecaster.tools.OptionValues;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.tools.CsvSeries;
import io.streamforecaster.tools.Args;
import io.streamforecaster.tools.ServiceDefaults;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code forecaster backtest}: offline accuracy of the service's own models under the streaming
 * one-step protocol ({@link Protocol}), next to naive and seasonal naive.
 */
public final class Backtest {

    static final String USAGE = """
            Usage: forecaster backtest [--variant vanilla|stacked|bidirectional|all] [--season P] [--json]
                                       [--horizon H] [--scope per-key|shared|both] [--column NAME] [--threads N]
                                       [--set key=value,...] FILE...

            Scores one-step forecasts under the streaming protocol of shared/datasets/ACCURACY.md:
            the last 4,096 points, warm-up min(256, N/3) unscored, a refit at most every 64 steps on
            at most the last 512 points. Reports MAE, RMSE, sMAPE (%), MASE (MAE / naive MAE) and, for
            the LSTM, the coverage of its prediction intervals. The LSTM is served as in the service:
            champion/challenger on held-out points, naive fallback, split-conformal intervals.
              --variant V     LSTM variant(s) to score (default all)
              --season P      also score seasonal naive with period P, where P fits inside the warm-up
              --json          one JSON object per series and model instead of a table
              --horizon H     forecast H values ahead (forecaster.forecast.horizon) and score every step
              --scope S       per-key (default): a model per series; shared: one model for all the
                              series given, as for the keys of one input partition; both
              --column NAME   the CSV column (default: the last, which is OT for ETTh1)
              --threads N     jobs run in parallel (default: the number of cores)
              --set k=v,...   service settings for the LSTM (default: the service's defaults),
                              e.g. --set forecaster.training.epochs=100,forecaster.model.n-steps=24
            """;

    private Backtest() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, args -> run(args, System.out, System.err));
    }

    record Job(String series, double[] x, Supplier<OnlineModel> model, Supplier<Double> sharedSeconds) {

        Job(String series, double[] x, Supplier<OnlineModel> model) {
            this(series, x, model, null);
        }
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        String variant = "all";
        int season = 0;
        boolean json = false;
        String scope = "per-key";
        String column = null;
        int threads = Runtime.getRuntime().availableProcessors();
        Map<String, String> overrides = new HashMap<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--json" -> json = true;
                case "--scope" -> {
                    scope = OptionValues.value(argv, ++i, a);
                    if (!List.of("per-key", "shared", "both").contains(scope)) {
                        throw new IllegalArgumentException("--scope takes per-key, shared or both, got '" + scope + "'");
                    }
                }
                case "--variant" -> variant = OptionValues.value(argv, ++i, a);
                case "--season" -> season = OptionValues.positive(OptionValues.value(argv, ++i, a), a);
                case "--horizon" -> overrides.put("forecaster.forecast.horizon", Integer.toString(OptionValues.positive(OptionValues.value(argv, ++i, a), a)));
                case "--column" -> column = OptionValues.value(argv, ++i, a);
                case "--threads" -> threads = OptionValues.positive(OptionValues.value(argv, ++i, a), a);
                case "--set" -> OptionValues.putSettings(OptionValues.value(argv, ++i, a), overrides);
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                    files.add(Path.of(a));
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no CSV file given");
        }
        List<Variant> variants = variant.equals("all") ? List.of(Variant.values()) : List.of(Variant.parse(variant));
        StreamSettings settings = ServiceDefaults.settings(overrides);

        boolean perKey = !scope.equals("shared");
        boolean sharedScope = !scope.equals("per-key");
        List<Job> jobs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<double[]> all = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
            CsvSeries csv = CsvSeries.read(file, column);
            double[] x = Protocol.points(csv.values());
            String name = csv.name();
            names.add(name);
            all.add(x);
            jobs.add(new Job(name, x, Models::naive));
            if (season > 0 && season <= Protocol.warmup(x.length)) {
                int p = season;
                jobs.add(new Job(name, x, () -> Models.seasonalNaive(p)));
            }
            if (perKey) {
                for (Variant v : variants) {
                    jobs.add(new Job(name, x, () -> Models.lstm(settings.withTraining(settings.training().withVariant(v)))));
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        if (sharedScope) {
            for (Variant v : variants) {
                StreamSettings sv = settings.withTraining(settings.training().withVariant(v));
                // trained first, on a pool thread, while the per-key jobs run on the others
                var shared = java.util.concurrent.CompletableFuture.supplyAsync(() -> SharedModels.train(sv.training(), all, err), pool);
                for (int i = 0; i < all.size(); i++) {
                    double[] x = all.get(i);
                    jobs.add(new Job(names.get(i), x, () -> Models.served("lstm-" + v.id() + "-shared", sv,
                            (xs, t, current) -> shared.join().at(xs.length, t)),
                            () -> shared.join().trainingSeconds() / all.size()));
                }
            }
        }
        var t = settings.training();
        err.printf("backtest: %d series, %d jobs on %d threads; LSTM %s: n-steps %d, units %d, epochs %d (warm start %d),"
                        + " learning rate %s, seed %d%n", files.size(), jobs.size(), threads, variants, t.nSteps(), t.units(),
                t.epochs(), t.warmStartEpochs(), t.learningRate(), t.seed());

        try {
            List<Future<List<Score>>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> score(job, err)));
            }
            if (!json) {
                out.printf("%-40s %-24s %5s %4s %4s %12s %12s %8s %7s %7s %9s%n", "series", "model", "N", "W", "step",
                        "MAE", "RMSE", "sMAPE%", "MASE", "cover%", "train s");
            }
            int failed = 0;
            for (int i = 0; i < futures.size(); i++) { // each line as soon as it and those before it are done
                try {
                    for (Score s : futures.get(i).get()) {
                        print(s, json, out);
                    }
                } catch (java.util.concurrent.ExecutionException e) { // one series cannot be scored: say so, go on with the others
                    failed++;
                    Job job = jobs.get(i);
                    String why = e.getCause() == null ? e.toString() : e.getCause().getMessage();
                    err.printf("backtest: %s (%d points) cannot be scored: %s%n", job.series(), job.x().length, why);
                    if (json) {
                        out.println("{\"series\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(job.series())
                                + ",\"n\":" + job.x().length + ",\"error\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(why) + "}");
                    }
                }
                out.flush();
            }
            if (failed > 0) {
                err.printf("backtest: %d of %d jobs could not be scored%n", failed, futures.size());
                return 1;
            }
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    static List<Score> score(Job job, PrintStream err) {
        OnlineModel model = job.model().get();
        int total = Protocol.refits(job.x().length);
        long start = System.nanoTime();
        Protocol.Run run = Protocol.execute(job.x(), model, k -> {
            if (total > 1 && (k % 10 == 0 || k == total) && model.name().startsWith("lstm")) {
                err.printf("  %s / %s: refit %d of %d (%.0f s)%n", job.series(), model.name(), k, total, (System.nanoTime() - start) / 1e9);
            }
        });
        List<Score> scores = new ArrayList<>();
        int steps = run.horizons() == null ? 1 : run.horizons()[0].length;
        Double seconds = job.sharedSeconds() != null ? job.sharedSeconds().get()
                : model instanceof Models.Timed timed ? timed.trainingSeconds() : null;
        for (int step = 1; step <= steps; step++) {
            scores.add(Score.of(job.series(), model.name(), job.x(), run, step).withTrainingSeconds(seconds));
        }
        return scores;
    }

    static void print(Score s, boolean json, PrintStream out) {
        if (json) {
            out.println(s.toJson());
        } else {
            out.printf(Locale.ROOT, "%-40s %-24s %5d %4d %4d %12.4g %12.4g %8.3f %7.3f %7s %9s%n",
                    s.series(), s.model(), s.n(), s.warmup(), s.step(), s.mae(), s.rmse(), s.smape(), s.mase(),
                    s.coverage() == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * s.coverage()),
                    s.trainingSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1f", s.trainingSeconds()));
        }
    }

}
