package io.streamforecaster.tools;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.config.StreamSettings;
import java.time.Duration;
import java.util.Map;

/** The service's own defaults ({@link ForecasterConfig}'s), read the way the service reads them, with overrides. */
public final class ServiceDefaults {

    private ServiceDefaults() {
    }

    public static StreamSettings settings(Map<String, String> overrides) {
        return StreamSettings.from(config(overrides));
    }

    /** The whole configuration, as the service reads it, with overrides. */
    public static ForecasterConfig config(Map<String, String> overrides) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ForecasterConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200, new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withSources(new PropertiesConfigSource(overrides, "overrides", 500))
                .build();
        return config.getConfigMapping(ForecasterConfig.class);
    }
}
