package io.streamforecaster.tools;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code forecaster benchmark training}: training capacity of the two engines side by side in one
 * run ({@link TrainingEngine}): first models and retrains per core-minute for each variant, where
 * the time of one training goes (a JFR profile), and how long 1,000 new keys wait for their first
 * models while the packaged service runs on a real broker ({@link NewKeysRun}).
 */
public final class TrainingBenchmark {

    static final String USAGE = """
            Usage: forecaster benchmark training [--keys N] [--rounds R] [--variants V,...] [--data DIR]
                                                 [--stream-keys N] [--stream-engines E,...] [--skip-capacity]
                                                 [--skip-profile] [--skip-stream]

            Trains, one at a time on one thread, what the service's training pool trains: a key's
            first model (512 observations of history, 20 epochs from scratch, holdout 32) and its
            retrain 64 observations later (5 epochs from the first model), with the service's default
            settings, by each engine in turn, and reports keys per core-minute and the ratio java/dl4j.
              --keys N            histories per variant and engine (default 18: two of each shared series
                                  with at least 576 points; generated series when ../shared is absent)
              --rounds R          the engines alternate R times; medians are reported (default 3)
              --variants V,...    vanilla, stacked, bidirectional (default all three)
              --data DIR          the shared datasets (default ../shared/datasets)
              --stream-keys N     new keys the packaged service must give a first model (default 1000)
              --stream-engines E  engines to run that scenario with, in order (default java,dl4j)
              --skip-capacity, --skip-profile, --skip-stream   leave a part out
            """;

    /** Observations a retrain sees beyond the first model's: the default min-new-observations. */
    static final int NEW_OBSERVATIONS = 64;

    private TrainingBenchmark() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, TrainingBenchmark::run);
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--keys", "--rounds", "--variants", "--data", "--stream-keys", "--stream-engines"),
                Set.of("--skip-capacity", "--skip-profile", "--skip-stream"));
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        int keys = a.integer("--keys", 18, 1);
        int rounds = a.integer("--rounds", 3, 1);
        List<Variant> variants = new ArrayList<>();
        for (String v : a.get("--variants", "vanilla,stacked,bidirectional").split(",")) {
            variants.add(Variant.parse(v));
        }
        List<TrainingEngine> streamEngines = new ArrayList<>();
        for (String e : a.get("--stream-engines", "java,dl4j").split(",")) {
            streamEngines.add(TrainingEngine.parse(e));
        }
        int streamKeys = a.integer("--stream-keys", 1000, 1);
        Path data = Path.of(a.get("--data", "../shared/datasets"));

        StreamSettings defaults = ServiceDefaults.settings(Map.of());
        System.out.printf("machine: %d cores, max heap %d MiB, %s %s, OMP_NUM_THREADS=%s; date %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getenv("OMP_NUM_THREADS"),
                Instant.now());
        TrainingSettings t = defaults.training();
        System.out.printf("settings: history %d, n-steps %d, %d units, %d epochs (warm start %d), learning rate %s, holdout %d%n",
                defaults.historySize(), t.nSteps(), t.units(), t.epochs(), t.warmStartEpochs(), t.learningRate(), t.holdout());

        List<Key> histories = TrainingHistories.load(data, keys, defaults.historySize(), NEW_OBSERVATIONS);
        System.out.printf("histories: %d keys of %d observations (%s), each followed by %d more for its retrain%n",
                histories.size(), defaults.historySize(), TrainingHistories.describe(histories), NEW_OBSERVATIONS);

        if (!a.has("--skip-capacity")) {
            TrainingCapacity.run(defaults, variants, histories, rounds);
        }
        if (!a.has("--skip-profile")) {
            TrainingProfile.run(defaults, histories);
        }
        if (!a.has("--skip-stream")) {
            NewKeysRun.run(streamKeys, streamEngines, Files.exists(data) ? data : null);
        }
    }

    /** One key's history for a first model and the observations that follow it, for its retrain. */
    record Key(String name, double[][] history, double[][] later) {
    }

    /** What one training costs: the training thread's CPU, the whole process's CPU, and the wall clock. */
    record Cost(double threadSeconds, double processSeconds, double wallSeconds) {

        Cost per(int n) {
            return new Cost(threadSeconds / n, processSeconds / n, wallSeconds / n);
        }

        /** Keys per core-minute, counting all the CPU the process used meanwhile (GC, JIT, native threads). */
        double keysPerCoreMinute() {
            return 60 / processSeconds;
        }
    }

    /** Measures {@code body} as the service runs it: on one thread, its CPU and the process's. */
    static Cost measure(Runnable body) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long thread0 = threads.getCurrentThreadCpuTime();
        double process0 = CpuTime.self();
        long wall0 = System.nanoTime();
        body.run();
        return new Cost((threads.getCurrentThreadCpuTime() - thread0) / 1e9, CpuTime.self() - process0,
                (System.nanoTime() - wall0) / 1e9);
    }

    /** The service's training job for one key: train on all but the holdout, score both models on it. */
    static ModelSnapshot train(TrainingSettings s, double[][] history, ModelSnapshot previous) {
        var challenge = Selection.challenge(Trainer::train, s, history, previous, history.length, 0);
        return Selection.decide(previous, challenge, 0).model();
    }

    static double[][] shifted(Key k) {
        double[][] h = new double[k.history().length][];
        int n = k.later().length;
        System.arraycopy(k.history(), n, h, 0, h.length - n);
        System.arraycopy(k.later(), 0, h, h.length - n, n);
        return h;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
