package io.streamforecaster.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

/**
 * Runs lz4-java and {@link NativeLz4} in a class loader of their own, as Quarkus does, where
 * lz4-java's {@code fastestInstance()} falls back to pure Java unless its native library is loaded.
 */
class NativeLz4Test {

    @Test
    void afterLoadingKafkasLz4IsTheNativeOneUnderAClassLoaderOtherThanTheSystemOne() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {location(LZ4Factory.class), location(NativeLz4.class)},
                ClassLoader.getPlatformClassLoader())) {
            // the premise: lz4-java outside the system class loader gives Kafka pure Java
            assertEquals("LZ4Factory:JavaSafe", fastest(loader, "net.jpountz.lz4.LZ4Factory"));

            Object outcome = loader.loadClass(NativeLz4.class.getName()).getMethod("load").invoke(null);

            assertEquals(Boolean.TRUE, outcome.getClass().getMethod("nativeLoaded").invoke(outcome), outcome.toString());
            assertEquals("LZ4Factory:JNI", fastest(loader, "net.jpountz.lz4.LZ4Factory"));
            assertEquals("XXHashFactory:JNI", fastest(loader, "net.jpountz.xxhash.XXHashFactory"));
        }
    }

    @Test
    void loadingTwiceGivesTheSameOutcome() {
        NativeLz4.Outcome first = NativeLz4.load();
        NativeLz4.Outcome second = NativeLz4.load();
        assertEquals(first, second);
        assertTrue(second.nativeLoaded(), second.toString());
    }

    private static String fastest(ClassLoader loader, String factory) throws Exception {
        return loader.loadClass(factory).getMethod("fastestInstance").invoke(null).toString();
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
