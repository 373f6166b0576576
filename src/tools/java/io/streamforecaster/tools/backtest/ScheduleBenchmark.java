package io.streamforecaster.tools.backtest;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.tools.Args;
import io.streamforecaster.tools.CsvSeries;
import io.streamforecaster.tools.ServiceDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code forecaster benchmark schedule}: retraining by need (the service's schedule: drift,
 * fallback, age) against the protocol's fixed cadence, on the same series and, to compare like with
 * like, against a fixed cadence with the same training budget (trainings per 1,000 points), under
 * the backtest's protocol. Also on a generated series with level shifts and regime changes, where
 * it reports how fast accuracy recovers after each change.
 */
public final class ScheduleBenchmark {

    static final String USAGE = """
            Usage: forecaster benchmark schedule [--datasets DIR] [--threads N] [--markdown]

            Scores vanilla LSTMs under the backtest protocol (ACCURACY.md) with three schedules:
              fixed-64      a refit every 64 points (the protocol)
              by-need       the service's schedule: a drifting key at once (after min-new-observations), a key in fallback
                            after training.interval, others after an interval that doubles with each defended challenge,
                            up to training.max-interval; here one point counts as one millisecond: interval 64 points,
                            max-interval 256, min-new-observations 32
              fixed-budget  a refit every K points, K chosen per series for by-need's number of trainings
            on the ten shared series of DIR (default ../shared/datasets) and a generated series with level shifts,
            a regime change and a variance change, for which it also reports recovery after each change.
            """;

    /** The generated scenario's changes, as points of its 4,096. */
    static final int[] CHANGES = {1200, 2000, 2800, 3500};
    static final int RECOVERY_WINDOW = 100;
    static final Map<String, String> BY_NEED = Map.of("forecaster.training.interval", "64ms", "forecaster.training.max-interval", "256ms",
            "forecaster.training.min-new-observations", "32");

    private ScheduleBenchmark() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, ScheduleBenchmark::run);
    }

    /** A series to score, and the points where it changes (for the recovery table; none for most). */
    record Series(String name, double[] x, int[] changes) {
    }

    record Result(String schedule, Score score, int trainings, Protocol.Run run) {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--datasets", "--threads"), Set.of("--markdown"));
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        Path dir = Path.of(a.get("--datasets", "../shared/datasets"));
        int threads = a.integer("--threads", Runtime.getRuntime().availableProcessors(), 1);
        List<Series> series = new ArrayList<>();
        series.add(new Series("generated-regime-changes", generated(), CHANGES));
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
                    CsvSeries csv = CsvSeries.read(f, null);
                    double[] x = Protocol.points(csv.values());
                    series.add(new Series(csv.name(), x, LabelledChanges.of(dir.resolve("nab/labels/combined_labels.json"), f, x.length)));
                }
            }
        } else {
            System.err.println("schedule: " + dir + " is absent; only the generated series is scored");
        }
        StreamSettings fixed = ServiceDefaults.settings(Map.of());
        StreamSettings byNeed = ServiceDefaults.settings(BY_NEED);
        System.err.printf("schedule: %d series on %d threads; %s%n", series.size(), threads, java.time.Instant.now());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, List<Future<Result>>> first = new LinkedHashMap<>();
        for (Series s : series) {
            first.put(s.name(), List.of(
                    pool.submit(() -> score(s, "fixed-64", Models.lstm(fixed), Protocol.REFIT_EVERY)),
                    pool.submit(() -> score(s, "by-need", Models.lstm(byNeed, true), Protocol.REFIT_EVERY))));
        }
        Map<String, Future<Result>> budget = new HashMap<>();
        Map<String, Integer> every = new HashMap<>();
        for (Series s : series) {
            Result need = first.get(s.name()).get(1).get();
            int scored = s.x().length - Protocol.warmup(s.x().length);
            int k = Math.max(1, (int) Math.round(scored / (double) Math.max(1, need.trainings())));
            every.put(s.name(), k);
            budget.put(s.name(), pool.submit(() -> score(s, "fixed-budget", Models.lstm(fixed), k)));
        }
        System.out.println("| series | N | fixed-64: MASE | trainings / 1,000 points | by-need: MASE | trainings / 1,000 points | fixed at by-need's budget: every K | MASE |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        List<String> recovery = new ArrayList<>();
        for (Series s : series) {
            Result f = first.get(s.name()).get(0).get();
            Result n = first.get(s.name()).get(1).get();
            Result b = budget.get(s.name()).get();
            int scored = s.x().length - Protocol.warmup(s.x().length);
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.1f | %.3f | %.1f | %d | %.3f |%n", s.name(), s.x().length,
                    f.score().mase(), per1000(f, scored), n.score().mase(), per1000(n, scored), every.get(s.name()), b.score().mase());
            for (Result r : s.changes().length == 0 ? List.<Result>of() : List.of(f, n, b)) {
                recovery.add(recovery(s, r));
            }
        }
        pool.shutdown();
        System.out.println();
        System.out.println("Recovery after each change (the generated series' changes; the NAB series' labelled anomalies, the"
                + " failures among them): MAE over the " + RECOVERY_WINDOW + " points after each change relative to naive's, and the points"
                + " until the model's trailing-32 MAE is back within 1.1 x naive's:");
        System.out.println();
        System.out.println("| series | changes at | schedule | MAE / naive after each change | points to recover after each change |");
        System.out.println("|---|---|---|---|---|");
        recovery.forEach(System.out::println);
    }

    static double per1000(Result r, int scored) {
        return 1000.0 * r.trainings() / scored;
    }

    static Result score(Series s, String schedule, OnlineModel model, int refitEvery) {
        long start = System.nanoTime();
        Protocol.Run run = Protocol.execute(s.x(), model, refitEvery, k -> { });
        System.err.printf(Locale.ROOT, "  %s / %s: %d trainings, %.0f s%n", s.name(), schedule, model.trainings(), (System.nanoTime() - start) / 1e9);
        return new Result(schedule, Score.of(s.name(), model.name(), s.x(), run, 1), model.trainings(), run);
    }

    /** The table row of one schedule's recovery after each change of a series. */
    static String recovery(Series s, Result r) {
        double[] x = s.x();
        int w = Protocol.warmup(x.length);
        double[] f = r.run().forecasts();
        StringBuilder ratios = new StringBuilder();
        StringBuilder delays = new StringBuilder();
        for (int c : s.changes()) {
            if (c < w + 32) {
                // Before the protocol's first forecasts: nothing served to recover.
                ratios.append(ratios.length() == 0 ? "" : ", ").append("-");
                delays.append(delays.length() == 0 ? "" : ", ").append("-");
                continue;
            }
            double model = 0;
            double naive = 0;
            for (int t = c; t < c + RECOVERY_WINDOW && t < x.length; t++) {
                model += Math.abs(f[t - w] - x[t]);
                naive += Math.abs(x[t - 1] - x[t]);
            }
            ratios.append(ratios.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", model / naive));
            int recovered = -1;
            for (int t = c + 32; t < x.length; t++) {
                double m = 0;
                double n = 0;
                for (int i = t - 32; i < t; i++) {
                    m += Math.abs(f[i - w] - x[i]);
                    n += Math.abs(x[i - 1] - x[i]);
                }
                if (m <= 1.1 * n) {
                    recovered = t - c;
                    break;
                }
            }
            delays.append(delays.length() == 0 ? "" : ", ").append(recovered < 0 ? "never" : Integer.toString(recovered));
        }
        return "| " + s.name() + " | " + java.util.Arrays.toString(s.changes()) + " | " + r.schedule() + " | " + ratios + " | " + delays + " |";
    }

    /**
     * 4,096 points: a daily-like cycle (period 48) with noise around 50; at 1,200 the level jumps by
     * 15; at 2,000 the cycle halves its period and grows; at 2,800 the noise quadruples; at 3,500 the
     * level drops by 25 and a trend starts. Seeded: the same series every run.
     */
    static double[] generated() {
        Random r = new Random(20261127);
        double[] x = new double[4096];
        for (int t = 0; t < x.length; t++) {
            double level = 50 + (t >= CHANGES[0] ? 15 : 0) - (t >= CHANGES[3] ? 25 : 0) + (t >= CHANGES[3] ? 0.01 * (t - CHANGES[3]) : 0);
            double cycle = t >= CHANGES[1] ? 8 * Math.sin(2 * Math.PI * t / 24.0) : 5 * Math.sin(2 * Math.PI * t / 48.0);
            double noise = (t >= CHANGES[2] ? 2.0 : 0.5) * r.nextGaussian();
            x[t] = level + cycle + noise;
        }
        return x;
    }
}
