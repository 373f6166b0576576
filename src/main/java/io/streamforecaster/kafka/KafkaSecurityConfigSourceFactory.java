package io.streamforecaster.kafka;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Hands the Kafka client properties of {@link KafkaClientSecurity} to everything that reads
 * {@code kafka-streams.*}: Kafka Streams (which gives them to each of its clients and to the
 * exception handlers, so to the dead-letter safety-net producer too), and Quarkus, whose admin
 * client waits for the input topic. One place decides the credentials of every client.
 *
 * <p>Its ordinal sits above application.properties and below environment variables and system
 * properties, so an explicit {@code kafka-streams.*} setting still wins.
 */
public class KafkaSecurityConfigSourceFactory implements ConfigSourceFactory {

    static final String NAME = "forecaster.kafka security settings";
    static final int ORDINAL = 270;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> client = KafkaClientSecurity.clientProperties(name -> {
            ConfigValue v = context.getValue(name);
            return v == null || v.getValue() == null ? null : new KafkaClientSecurity.Setting(v.getValue(), v.getConfigSourceName());
        });
        Map<String, String> properties = new HashMap<>();
        client.forEach((k, v) -> properties.put("kafka-streams." + k, escape(v)));
        return List.of(new PropertiesConfigSource(properties, NAME, ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /**
     * A secret may hold "${", which MicroProfile Config would take for an expression to expand:
     * "$$" is its escape for "$". A backslash before a "$" escapes it too, and nothing escapes that
     * backslash, so such values are refused ({@link KafkaClientSecurity} says which setting).
     */
    static String escape(String value) {
        return value.replace("$", "$$");
    }
}
