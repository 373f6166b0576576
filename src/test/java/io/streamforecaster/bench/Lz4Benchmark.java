package io.streamforecaster.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kafka's LZ4 on one 480 kB record value (S7's mean oversized record), in Kafka's 64 kB blocks:
 * lz4-java's JNI compressor, which the service loads at startup, against the pure-Java one Kafka
 * fell back to under Quarkus' class loader. Run with {@code ./forecaster benchmark input}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Lz4Benchmark {

    private static final int BLOCK = 64 * 1024;

    byte[] value;
    byte[] out;
    LZ4Compressor jni;
    LZ4Compressor javaSafe;

    @Setup
    public void setUp() {
        value = new byte[480 * 1024];
        Arrays.fill(value, (byte) '7');
        jni = LZ4Factory.nativeInstance().fastCompressor();
        javaSafe = LZ4Factory.safeInstance().fastCompressor();
        out = new byte[jni.maxCompressedLength(BLOCK)];
    }

    private int compress(LZ4Compressor c) {
        int n = 0;
        for (int off = 0; off < value.length; off += BLOCK) {
            n += c.compress(value, off, Math.min(BLOCK, value.length - off), out, 0, out.length);
        }
        return n;
    }

    /** What Kafka uses in the service now. */
    @Benchmark
    public int nativeJni() {
        return compress(jni);
    }

    /** The baseline: what it used before. */
    @Benchmark
    public int pureJava() {
        return compress(javaSafe);
    }
}
