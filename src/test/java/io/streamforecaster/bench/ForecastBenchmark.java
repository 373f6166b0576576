package io.streamforecaster.bench;

import io.streamforecaster.model.Dl4jModels;
import io.streamforecaster.model.FastForecaster;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot-path forecast: our plain-Java forward pass against DL4J's {@code output()} on the same
 * trained model and window, one window per call. Run with {@code ./forecaster benchmark forecast}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ForecastBenchmark {

    @Param({"vanilla", "stacked", "bidirectional"})
    public String variant;

    @Param({"12"})
    public int nSteps;

    ModelSnapshot model;
    ComputationGraph net;
    double[][] window;
    INDArray[] input;

    @Setup
    public void setUp() {
        Variant v = Variant.parse(variant);
        TrainingSettings s = new TrainingSettings(v, nSteps, 1, 20, 20, 5, 0.01, 42, 1.0, 0);
        double[][] history = new double[200][];
        for (int i = 0; i < history.length; i++) {
            history[i] = new double[] {50 + 10 * Math.sin(i / 5.0) + (i % 7)};
        }
        model = Trainer.train(s, history, null, history.length, 0);
        net = Dl4jModels.newNetwork(s);
        Dl4jModels.load(net, model);
        window = new double[nSteps][];
        for (int t = 0; t < nSteps; t++) {
            window[t] = history[history.length - nSteps + t];
        }
        input = Dl4jModels.inputs(v, new double[][][] {model.scaler().scaleWindow(window)}, nSteps, 1);
    }

    @Benchmark
    public double[] fastForecast() {
        return FastForecaster.forecast(model, window);
    }

    @Benchmark
    public INDArray dl4jOutput() {
        return net.outputSingle(input);
    }
}
