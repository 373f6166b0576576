package io.streamforecaster.kafka;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Makes Kafka's LZ4 use lz4-java's native library.
 *
 * <p>Kafka asks lz4-java for {@code LZ4Factory.fastestInstance()} and
 * {@code XXHashFactory.fastestInstance()}. Those give the JNI implementation only if its library is
 * already loaded or if lz4-java was loaded by the system class loader. Under Quarkus' class loader
 * neither holds, so every LZ4 batch the service wrote (forecasts, dead letters, changelogs) was
 * compressed by the pure-Java safe implementation, about 10 times slower than JNI on a large value (BENCHMARKS.md §5),
 * on the stream thread. Loading the library first makes {@code fastestInstance()} return JNI. It must
 * run before Kafka's LZ4 input stream is first used: that class keeps its decompressor in a static
 * field. Where the library cannot be loaded (no writable, executable {@code java.io.tmpdir}),
 * Kafka keeps the pure-Java one and nothing else changes.
 *
 * <p>lz4-java 1.10.1 (the maintained fork Kafka 4.1 uses) has the fixes for CVE-2025-12183, and
 * Kafka decompresses with the safe decompressor only.
 */
public final class NativeLz4 {

    /** What Kafka's LZ4 will use: the factories' names (for example {@code LZ4Factory:JNI}), and why not JNI if not. */
    public record Outcome(boolean nativeLoaded, String lz4, String xxhash, String failure) {
    }

    private NativeLz4() {
    }

    /** Loads the native library if it can, and says what Kafka will use; a failure is reported, not thrown. */
    public static Outcome load() {
        String failure = null;
        try {
            LZ4Factory.nativeInstance();
            XXHashFactory.nativeInstance();
        } catch (LinkageError | AssertionError | RuntimeException e) { // no library for this platform, or it would not load
            failure = e.toString();
        }
        String lz4 = LZ4Factory.fastestInstance().toString();
        String xxhash = XXHashFactory.fastestInstance().toString();
        return new Outcome(failure == null && lz4.endsWith(":JNI") && xxhash.endsWith(":JNI"), lz4, xxhash, failure);
    }
}
