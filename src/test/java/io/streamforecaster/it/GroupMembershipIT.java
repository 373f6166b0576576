package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How an instance leaves and rejoins its consumer group. With dynamic membership (no
 * {@code FORECASTER_INSTANCE_ID}) a stopped instance leaves at once, so its partitions move
 * without waiting for its session to time out. With static membership (the pod's name) its
 * stream threads are members named after it, which keep their place over a {@code kill -9}: the
 * restarted instance takes its partitions back long before the old session would expire.
 */
class GroupMembershipIT {

    static LocalKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafka.start(null);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static Map<String, String> settings(String app, Path stateDir) throws Exception {
        kafka.createTopics(Map.of(app + "-input", 2, app + "-predictions", 2, app + "-dlq", 1));
        return TestServices.properties(kafka.bootstrapServers(), app, stateDir, app + "-input", app + "-predictions", app + "-dlq");
    }

    static ServiceProcess start(Map<String, String> props, Map<String, String> env, String log) throws Exception {
        int port = ServiceProcess.freePort();
        ServiceProcess service = ServiceProcess.start(props, env, port, Path.of("target", "it-logs", log + ".log"), List.of("-Xmx512m"));
        await().alias("service ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertTrue(service.isAlive(), "service exited; see " + service.log());
            return service.isReady();
        });
        return service;
    }

    static List<MemberDescription> members(String group) throws Exception {
        try (Admin admin = kafka.admin()) {
            return List.copyOf(admin.describeConsumerGroups(List.of(group)).all().get().get(group).members());
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return List.of(); // not formed yet
            }
            throw e;
        }
    }

    static Set<String> instanceIds(String group) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (MemberDescription m : members(group)) {
            ids.add(m.groupInstanceId().orElse("(dynamic)"));
        }
        return ids;
    }

    @Test
    void aStoppedDynamicMemberLeavesTheGroupAtOnce() throws Exception {
        String app = "dynamic-" + UUID.randomUUID();
        ServiceProcess service = start(settings(app, Files.createTempDirectory("dynamic-state")), Map.of(), "group-dynamic");
        try {
            await().alias("stream threads in the group").atMost(Duration.ofSeconds(60)).until(() -> members(app).size() == 2);
            assertEquals(Set.of("(dynamic)"), instanceIds(app), "no group.instance.id without FORECASTER_INSTANCE_ID");
        } finally {
            service.close(); // SIGTERM, as Kubernetes stops a pod
        }
        // without leaving, the members would stay until their session times out (45 s)
        await().alias("the group empty after the stop").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> members(app).isEmpty());
    }

    @Test
    void aKilledStaticMemberTakesItsPartitionsBackBeforeItsSessionExpires() throws Exception {
        String app = "static-" + UUID.randomUUID();
        Path state = Files.createTempDirectory("static-state");
        Map<String, String> props = settings(app, state);
        // a long session: without static membership the restarted instance would wait for it to expire
        props.put("kafka-streams.consumer.session.timeout.ms", "180000");
        Map<String, String> env = Map.of("FORECASTER_INSTANCE_ID", "forecaster-0");
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, app + "-reader");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
             var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(app + "-predictions"));
            ServiceProcess first = start(props, env, "group-static");
            try {
                await().alias("static members").atMost(Duration.ofSeconds(60))
                        .until(() -> instanceIds(app).equals(Set.of("forecaster-0-1", "forecaster-0-2")));
                send(producer, app, 0, 20);
                awaitForecasts(consumer, 2 * (20 - 11), Duration.ofSeconds(60));
            } finally {
                first.kill();
            }
            ServiceProcess restarted = start(props, env, "group-static-restarted");
            try {
                send(producer, app, 20, 30);
                // well before the old session (180 s) could have expired
                awaitForecasts(consumer, 2 * 10, Duration.ofSeconds(90));
            } finally {
                restarted.close();
            }
            // a static member keeps its place when stopped (a restarted pod takes its partitions back without a rebalance)
            assertEquals(Set.of("forecaster-0-1", "forecaster-0-2"), instanceIds(app));
        }
    }

    static void send(KafkaProducer<String, String> producer, String app, int from, int to) {
        for (int i = from; i < to; i++) {
            for (String key : List.of("a", "b")) {
                producer.send(new ProducerRecord<>(app + "-input", key, Double.toString(10 + Math.sin(i))));
            }
        }
        producer.flush();
    }

    static void awaitForecasts(KafkaConsumer<String, String> consumer, int count, Duration atMost) {
        int[] seen = {0};
        await().alias(count + " forecasts").atMost(atMost).pollInterval(Duration.ofMillis(10)).until(() -> {
            seen[0] += consumer.poll(Duration.ofMillis(200)).count();
            return seen[0] >= count;
        });
    }
}
