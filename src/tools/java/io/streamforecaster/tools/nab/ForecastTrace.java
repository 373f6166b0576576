package io.streamforecaster.tools.nab;

import io.streamforecaster.anomaly.AnomalyInput;
import io.streamforecaster.state.Source;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.tools.backtest.Models;
import io.streamforecaster.tools.backtest.Protocol;
import io.streamforecaster.config.StreamSettings;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.IntConsumer;

/**
 * What the service's per-observation step served for every record of one series, run as a fresh
 * key under the backtest's training protocol: the anomaly part's input per record, and the source
 * of the forecast it judged. Cached on disk, since a run with LSTM refits takes minutes and the
 * detector is tuned over the same forecasts.
 */
record ForecastTrace(AnomalyInput[] inputs, Source[] sources) {

    private static final int MAGIC = 0x53464e54; // "SFNT"
    private static final int VERSION = 1;

    int length() {
        return inputs.length;
    }

    /**
     * Feeds {@code x} one record at a time into a new key state, from its first record, with a
     * refit of the protocol ({@link Protocol}: from {@code W = min(256, N / 3)} on, every 64 steps,
     * on at most the last 512 points) before the record at which the backtest makes it.
     *
     * @param refitDone told the number of each refit as it finishes, for progress
     */
    static ForecastTrace run(double[] x, StreamSettings settings, Models.Refitter refitter, IntConsumer refitDone) {
        int n = x.length;
        int w = Protocol.warmup(n);
        StepCapture capture = new StepCapture(settings);
        AnomalyInput[] inputs = new AnomalyInput[n];
        Source[] sources = new Source[n];
        ModelSnapshot model = null;
        int refits = 0;
        for (int i = 0; i < n; i++) {
            // the backtest's refit at time t = i + 1 is made when the key has seen x[0..t-2]; its
            // model then serves from x[t-1] on, the forecast of x[t-1] being the older model's
            int t = i + 1;
            if (w >= 1 && t >= w && t < n && (t - w) % Protocol.REFIT_EVERY == 0) {
                model = refitter.refit(x, t, model);
                refitDone.accept(++refits);
            }
            StepCapture.Captured c = capture.observe(x[i], i, model);
            inputs[i] = c.input();
            sources[i] = c.source();
        }
        return new ForecastTrace(inputs, sources);
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(inputs.length);
            for (int i = 0; i < inputs.length; i++) {
                AnomalyInput in = inputs[i];
                out.writeDouble(in.actual());
                out.writeDouble(in.forecast());
                out.writeDouble(in.halfWidth());
                out.writeDouble(in.previous());
                out.writeByte(sources[i].ordinal());
            }
        }
        // complete or absent: a run stopped half-way never leaves a truncated trace behind
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The trace stored at {@code file}, or null when it is absent or not one this version wrote. */
    static ForecastTrace read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            return null;
        }
        try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return null;
            }
            int n = in.readInt();
            AnomalyInput[] inputs = new AnomalyInput[n];
            Source[] sources = new Source[n];
            for (int i = 0; i < n; i++) {
                inputs[i] = new AnomalyInput(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
                sources[i] = Source.values()[in.readByte()];
            }
            return new ForecastTrace(inputs, sources);
        } catch (java.io.EOFException | ArrayIndexOutOfBoundsException e) {
            return null; // truncated or foreign: recomputed
        }
    }
}
