package io.streamforecaster.tools;

import static io.streamforecaster.tools.TrainingBenchmark.fmt;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TrainingEngine;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.tools.TrainingBenchmark.Cost;
import io.streamforecaster.tools.TrainingBenchmark.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time of one first model goes, for each engine: a JFR recording of the training
 * thread (Java and native samples) while it trains vanilla first models, each sample charged to
 * the innermost phase on its stack.
 */
final class TrainingProfile {

    /** Methods that mark a phase, innermost first wins: "Class.method" to the phase's name. */
    private static final Map<String, String> PHASES = new LinkedHashMap<>();

    static {
        // the Java engine
        PHASES.put("io.streamforecaster.model.LstmPass.forward", "LSTM forward pass");
        PHASES.put("io.streamforecaster.model.Vectors.combine", "LSTM backward: dL/dh through RW (and W) per step");
        PHASES.put("io.streamforecaster.model.LstmPass.backward", "LSTM backward: gate deltas and weight gradients");
        PHASES.put("io.streamforecaster.model.NetworkGradient.outputAndLoss", "dense layer and loss");
        PHASES.put("io.streamforecaster.model.NetworkGradient.backward", "dense layer and loss");
        PHASES.put("io.streamforecaster.model.NetworkGradient.compute", "transposes, gradient scaling");
        PHASES.put("io.streamforecaster.model.GradientClipping.clipPerParamType", "gradient clipping");
        PHASES.put("io.streamforecaster.model.Adam.step", "Adam");
        PHASES.put("io.streamforecaster.model.TrainingBatch.of", "windows to float");
        PHASES.put("io.streamforecaster.model.JavaTrainer.initialParameters", "initial weights (DL4J, once per shape)");
        PHASES.put("io.streamforecaster.model.JavaTrainer.fit", "weights in and out");
        // DL4J
        PHASES.put("org.deeplearning4j.nn.layers.recurrent.LSTMHelpers.activateHelper", "LSTM forward pass");
        PHASES.put("org.deeplearning4j.nn.layers.recurrent.LSTMHelpers.backpropGradientHelper", "LSTM backward pass");
        PHASES.put("org.deeplearning4j.nn.updater.BaseMultiLayerUpdater.update", "updater: minibatch division, clipping, Adam");
        PHASES.put("org.deeplearning4j.nn.layers.BaseOutputLayer.computeScore", "dense layer and loss");
        PHASES.put("org.deeplearning4j.nn.layers.BaseOutputLayer.backpropGradient", "dense layer and loss");
        PHASES.put("org.deeplearning4j.nn.layers.BaseOutputLayer.computeGradientAndScore", "dense layer and loss");
        PHASES.put("org.deeplearning4j.nn.graph.ComputationGraph.score", "final score");
        PHASES.put("org.deeplearning4j.nn.graph.ComputationGraph.fit", "fit: other (graph bookkeeping, workspaces)");
        PHASES.put("io.streamforecaster.model.Dl4jModels.newNetwork", "building the network");
        PHASES.put("io.streamforecaster.model.Dl4jModels.inputs", "windows to INDArray");
        PHASES.put("io.streamforecaster.model.Dl4jModels.lstmWeights", "weights in and out");
        PHASES.put("io.streamforecaster.model.Dl4jModels.denseWeights", "weights in and out");
        PHASES.put("io.streamforecaster.model.Dl4jModels.load", "weights in and out");
        // both
        PHASES.put("io.streamforecaster.model.Selection.evaluate", "held-out check of both models (our forecast)");
        PHASES.put("io.streamforecaster.model.Scaler.fit", "history to scaled windows");
        PHASES.put("io.streamforecaster.model.Windows.split", "history to scaled windows");
        PHASES.put("io.streamforecaster.model.Trainer.scaled", "history to scaled windows");
        PHASES.put("io.streamforecaster.model.Trainer.targets", "history to scaled windows");
    }

    private TrainingProfile() {
    }

    static void run(StreamSettings defaults, List<Key> keys) throws Exception {
        System.out.println();
        System.out.println("## Where the time of one vanilla first model goes (JFR samples of the training thread)");
        for (TrainingEngine engine : List.of(TrainingEngine.JAVA, TrainingEngine.DL4J)) {
            TrainingSettings s = defaults.training().withEngine(engine);
            int runs = engine == TrainingEngine.JAVA ? 10 * keys.size() : keys.size();
            for (int i = 0; i < Math.min(3, keys.size()); i++) { // warm
                TrainingBenchmark.train(s, keys.get(i).history(), null);
            }
            Path file = Files.createTempFile("training-" + engine.id(), ".jfr");
            Cost cost;
            try (Recording r = new Recording()) {
                r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
                r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(2));
                r.start();
                cost = TrainingBenchmark.measure(() -> {
                    for (int i = 0; i < runs; i++) {
                        ModelSnapshot m = TrainingBenchmark.train(s, keys.get(i % keys.size()).history(), null);
                        if (m == null) {
                            throw new IllegalStateException("no model");
                        }
                    }
                }).per(runs);
                r.stop();
                r.dump(file);
            }
            report(engine, file, cost, runs);
            Files.deleteIfExists(file);
        }
    }

    private static void report(TrainingEngine engine, Path file, Cost cost, int runs) throws Exception {
        String thread = Thread.currentThread().getName();
        Map<String, Integer> phases = new LinkedHashMap<>();
        Map<String, Integer> leaves = new LinkedHashMap<>();
        int javaSamples = 0;
        int nativeSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            var sampled = e.getThread("sampledThread");
            if (sampled == null || !thread.equals(sampled.getJavaName()) || e.getStackTrace() == null) {
                continue;
            }
            boolean isNative = e.getEventType().getName().equals("jdk.NativeMethodSample");
            if (isNative) {
                nativeSamples++;
            } else {
                javaSamples++;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            String phase = "other";
            for (RecordedFrame f : frames) {
                String name = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                String p = PHASES.get(name);
                if (p != null) {
                    phase = p;
                    break;
                }
            }
            phases.merge(phase, 1, Integer::sum);
            if (!frames.isEmpty()) {
                RecordedFrame leaf = frames.get(0);
                leaves.merge(leaf.getMethod().getType().getName() + "." + leaf.getMethod().getName() + (isNative ? " (native)" : ""),
                        1, Integer::sum);
            }
        }
        int total = javaSamples + nativeSamples;
        System.out.println();
        System.out.println(fmt("%s: %d first models, %.1f ms of thread CPU each (%.1f ms wall); %d samples (%d in Java, %d in native code)",
                engine.id(), runs, cost.threadSeconds() * 1000, cost.wallSeconds() * 1000, total, javaSamples, nativeSamples));
        System.out.println();
        System.out.println("| phase (innermost on the stack) | share | ms per first model |");
        System.out.println("|---|---:|---:|");
        phases.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(en ->
                System.out.println(fmt("| %s | %.1f %% | %.1f |", en.getKey(), 100.0 * en.getValue() / total,
                        cost.threadSeconds() * 1000 * en.getValue() / total)));
        System.out.println();
        System.out.println("Top methods where the samples landed:");
        leaves.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(8).forEach(en ->
                System.out.println(fmt("  %5.1f %%  %s", 100.0 * en.getValue() / total, en.getKey())));
    }
}
