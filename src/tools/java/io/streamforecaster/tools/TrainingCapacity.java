package io.streamforecaster.tools;

import static io.streamforecaster.tools.TrainingBenchmark.fmt;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.tools.TrainingBenchmark.Cost;
import io.streamforecaster.tools.TrainingBenchmark.Key;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * First models and retrains per core-minute, each engine in turn on the same histories, rounds
 * alternating which engine goes first; the medians of the rounds are reported.
 */
final class TrainingCapacity {

    private TrainingCapacity() {
    }

    /** One engine's round on one variant: cost per key of first models and of retrains, and the models' mean loss. */
    record Round(Cost first, Cost retrain, double firstLoss, double retrainLoss) {
    }

    static void run(StreamSettings defaults, List<Variant> variants, List<Key> keys, int rounds) {
        System.out.println();
        System.out.println("## Training capacity: one training thread, the service's training job per key");
        List<String> rows = new ArrayList<>();
        for (Variant v : variants) {
            TrainingSettings base = defaults.training().withVariant(v);
            Map<TrainingEngine, List<Round>> results = new EnumMap<>(TrainingEngine.class);
            for (TrainingEngine e : TrainingEngine.values()) {
                results.put(e, new ArrayList<>());
                warmUp(base.withEngine(e), keys);
            }
            for (int r = 0; r < rounds; r++) {
                TrainingEngine[] order = r % 2 == 0 ? new TrainingEngine[] {TrainingEngine.DL4J, TrainingEngine.JAVA}
                        : new TrainingEngine[] {TrainingEngine.JAVA, TrainingEngine.DL4J};
                for (TrainingEngine e : order) {
                    Round round = round(base.withEngine(e), keys);
                    results.get(e).add(round);
                    System.out.println(fmt("%s, %s, round %d: first model %.3f s CPU (process %.3f, wall %.3f), retrain %.3f s CPU "
                                    + "(process %.3f, wall %.3f); mean final loss %.4f / %.4f",
                            v.id(), e.id(), r + 1, round.first().threadSeconds(), round.first().processSeconds(),
                            round.first().wallSeconds(), round.retrain().threadSeconds(), round.retrain().processSeconds(),
                            round.retrain().wallSeconds(), round.firstLoss(), round.retrainLoss()));
                }
            }
            Cost dl4jFirst = median(results.get(TrainingEngine.DL4J), true);
            Cost javaFirst = median(results.get(TrainingEngine.JAVA), true);
            Cost dl4jRetrain = median(results.get(TrainingEngine.DL4J), false);
            Cost javaRetrain = median(results.get(TrainingEngine.JAVA), false);
            for (TrainingEngine e : TrainingEngine.values()) {
                Cost first = e == TrainingEngine.JAVA ? javaFirst : dl4jFirst;
                Cost retrain = e == TrainingEngine.JAVA ? javaRetrain : dl4jRetrain;
                double loss = medianLoss(results.get(e));
                rows.add(fmt("| %s | %s | %.3f s (%.3f) | **%.0f** | %.3f s (%.3f) | **%.0f** | %.4f |", v.id(), e.id(),
                        first.processSeconds(), first.threadSeconds(), first.keysPerCoreMinute(),
                        retrain.processSeconds(), retrain.threadSeconds(), retrain.keysPerCoreMinute(), loss));
            }
            rows.add(fmt("| %s | ratio java/dl4j | | **%.1f×** | | **%.1f×** | |", v.id(),
                    javaFirst.keysPerCoreMinute() / dl4jFirst.keysPerCoreMinute(),
                    javaRetrain.keysPerCoreMinute() / dl4jRetrain.keysPerCoreMinute()));
        }
        System.out.println();
        System.out.println(fmt("Medians of %d rounds over %d keys each. CPU per key: the process's CPU time while the key "
                + "trained (GC, JIT and native threads included), in brackets the training thread's alone.", rounds, keys.size()));
        System.out.println();
        System.out.println("| variant | engine | first model, CPU per key | first models per core-minute | retrain, CPU per key "
                + "| retrains per core-minute | mean final training loss of the first models |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static void warmUp(TrainingSettings s, List<Key> keys) {
        for (int i = 0; i < Math.min(3, keys.size()); i++) {
            ModelSnapshot first = TrainingBenchmark.train(s, keys.get(i).history(), null);
            TrainingBenchmark.train(s, TrainingBenchmark.shifted(keys.get(i)), first);
        }
    }

    private static Round round(TrainingSettings s, List<Key> keys) {
        ModelSnapshot[] firsts = new ModelSnapshot[keys.size()];
        Cost first = TrainingBenchmark.measure(() -> {
            for (int i = 0; i < keys.size(); i++) {
                firsts[i] = TrainingBenchmark.train(s, keys.get(i).history(), null);
            }
        }).per(keys.size());
        ModelSnapshot[] retrained = new ModelSnapshot[keys.size()];
        Cost retrain = TrainingBenchmark.measure(() -> {
            for (int i = 0; i < keys.size(); i++) {
                retrained[i] = TrainingBenchmark.train(s, TrainingBenchmark.shifted(keys.get(i)), firsts[i]);
            }
        }).per(keys.size());
        return new Round(first, retrain, meanLoss(firsts), meanLoss(retrained));
    }

    private static double meanLoss(ModelSnapshot[] models) {
        double sum = 0;
        for (ModelSnapshot m : models) {
            sum += m.trainingLoss();
        }
        return sum / models.length;
    }

    private static Cost median(List<Round> rounds, boolean first) {
        double[] thread = new double[rounds.size()];
        double[] process = new double[rounds.size()];
        double[] wall = new double[rounds.size()];
        for (int i = 0; i < rounds.size(); i++) {
            Cost c = first ? rounds.get(i).first() : rounds.get(i).retrain();
            thread[i] = c.threadSeconds();
            process[i] = c.processSeconds();
            wall[i] = c.wallSeconds();
        }
        return new Cost(TrainingBenchmark.median(thread), TrainingBenchmark.median(process), TrainingBenchmark.median(wall));
    }

    private static double medianLoss(List<Round> rounds) {
        double[] loss = new double[rounds.size()];
        for (int i = 0; i < rounds.size(); i++) {
            loss[i] = rounds.get(i).firstLoss();
        }
        return TrainingBenchmark.median(loss);
    }
}
