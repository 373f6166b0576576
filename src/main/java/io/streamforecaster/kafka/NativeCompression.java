package io.streamforecaster.kafka;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/** Loads lz4-java's native library before Kafka Streams starts (see {@link NativeLz4}) and says which LZ4 Kafka uses. */
@ApplicationScoped
public class NativeCompression {

    private static final Logger LOG = Logger.getLogger(NativeCompression.class);

    void load(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        NativeLz4.Outcome outcome = NativeLz4.load();
        if (outcome.nativeLoaded()) {
            LOG.infof("Kafka's LZ4 compression: native (%s, %s)", outcome.lz4(), outcome.xxhash());
        } else {
            LOG.warnf("Kafka's LZ4 compression: pure Java (%s, %s), about 10 times slower on large records; the native library"
                    + " did not load (%s): java.io.tmpdir must be writable and allow executing files", outcome.lz4(), outcome.xxhash(),
                    outcome.failure());
        }
    }
}
