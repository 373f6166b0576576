package io.streamforecaster.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The service's output topics (forecasts, dead letters, anomalies) that bound how old a record's
 * own timestamp may be ({@code message.timestamp.before.max.ms} with {@code CreateTime}). Each
 * output record carries its input's timestamp, so while the stream lags further behind than the
 * bound (after an outage, or replaying old data) the broker refuses its output, and under
 * exactly-once the partition stalls there. Kafka's default is no bound; this names a topic that has
 * one, for the operator to see before it bites. Reading topic configs needs DescribeConfigs, which
 * the service does not require: without it nothing is said.
 */
public final class TopicTimestampBounds {

    private TopicTimestampBounds() {
    }

    /** One warning per output topic that bounds old timestamps; empty when none does or the configs cannot be read. */
    public static List<String> warnings(Admin admin, KafkaAccessCheck.Target target, Duration timeout) throws InterruptedException {
        Set<String> topics = new LinkedHashSet<>();
        topics.add(target.output());
        topics.add(target.deadLetter());
        if (target.anomalies() != null) {
            topics.add(target.anomalies());
        }
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        List<String> out = new ArrayList<>();
        for (var e : admin.describeConfigs(resources).values().entrySet()) {
            Config config;
            try {
                config = e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException failed) {
                continue; // not allowed to read it (AuthorizationException), gone, or the broker slow: nothing to say
            }
            String warning = warning(e.getKey().name(), config);
            if (warning != null) {
                out.add(warning);
            }
        }
        return out;
    }

    /** Kafka 3.x's older bound, which such a broker applies when {@code before.max.ms} is left unset (removed in Kafka 4.0). */
    static final String DIFFERENCE_MAX_MS = "message.timestamp.difference.max.ms";

    static String warning(String topic, Config config) {
        ConfigEntry type = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (type != null && "LogAppendTime".equals(type.value())) {
            return null;
        }
        String setting = TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG;
        long bound = bound(config.get(setting));
        if (bound == Long.MAX_VALUE) {
            setting = DIFFERENCE_MAX_MS;
            bound = bound(config.get(setting));
        }
        if (bound == Long.MAX_VALUE) {
            return null;
        }
        return "Topic " + topic + " refuses records whose timestamp is more than " + Duration.ofMillis(bound) + " old ("
                + setting + " = " + bound + ", " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG
                + " = CreateTime). Output records carry their input's timestamp: while the stream lags further behind than that"
                + " (after an outage, or replaying old data) the broker refuses them, which stalls the partition (README, Known limits)."
                + " Leave the bound unset or set " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "=LogAppendTime on " + topic + ".";
    }

    /** A config entry's bound in milliseconds; {@link Long#MAX_VALUE} (none) when absent or unreadable. */
    private static long bound(ConfigEntry entry) {
        if (entry == null || entry.value() == null) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(entry.value());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
