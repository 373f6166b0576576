package io.streamforecaster.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamforecaster.kafka.TestPki;
import io.streamforecaster.stream.DeadLetter;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.SeriesGenerator;
import io.streamforecaster.tools.ServiceProcess;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.opentest4j.TestAbortedException;

/**
 * docker/Dockerfile built and run for real, with podman: both targets are built (on local Debian
 * bases, see {@link BaseImages}, since no registry is reachable here), and the service image runs
 * as the StatefulSet's pod (its template translated by {@link PodTemplate}) against a real broker
 * on loopback. First as {@code docker run --memory --cpus} would start it (the entrypoint sizes
 * the JVM from the cgroup), then, after the container is removed, as Kubernetes would (limits
 * handed in through the downward API) on the same state volume; the tools image replays data
 * into the broker; and the pod with the HTTP TLS component (k8s/components/http-tls) speaks HTTPS
 * to its probes and its HEALTHCHECK. Skips, saying why, where podman cannot run containers.
 *
 * <p>Settings: {@code -Dforecaster.image.bases=public} builds on the Dockerfile's default public
 * images instead of local ones; {@code -Dforecaster.image.m2=DIR} is the Maven repository the build
 * stage reads and fills (default: the user's {@code ~/.m2}), so that it downloads only what the
 * host's build has not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageIT {

    static final Path LOGS = Path.of("target", "it-logs");
    static final Path BUILD_LOG = LOGS.resolve("image-build.log");
    static final String SERVICE_IMAGE = "localhost/stream-forecaster:it";
    static final String TOOLS_IMAGE = "localhost/stream-forecaster-tools:it";
    static final String INPUT = "image-input";
    static final String OUTPUT = "image-predictions";
    static final String DLQ = "image-dlq";
    static final long GIB = 1L << 30;
    /** The restricted run's limits: what a small pod or {@code docker run --memory 2g --cpus 1} gives. */
    static final long PLAIN_MEMORY = 2 * GIB;
    static final BigDecimal PLAIN_CPUS = BigDecimal.ONE;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Podman podman;
    static FileChannel lockFile;
    static FileLock lock;
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String VOLUME_PREFIX = "sf-it-" + RUN + "-";
    static final List<String> containers = new ArrayList<>();
    static final Map<String, String> figures = new LinkedHashMap<>();
    static DeploymentFiles.Rendered rendered;
    static PodTemplate.Pod pod;
    /** The pods whose claims the test made (their volumes are removed at the end). */
    static final List<PodTemplate.Pod> pods = new ArrayList<>();
    static LocalKafka kafka;
    static KafkaProducer<String, String> producer;
    static KafkaConsumer<String, String> consumer;
    static final List<ConsumerRecord<String, String>> forecasts = new CopyOnWriteArrayList<>();
    static final List<ConsumerRecord<String, String>> deadLetters = new CopyOnWriteArrayList<>();
    static final SeriesGenerator generator = new SeriesGenerator(3, 7);
    static int accepted;
    /** The models the first container trained, by key, for the second to find. */
    static final Map<String, JsonNode> models = new HashMap<>();

    @BeforeAll
    static void buildImages() throws Exception {
        Podman.Availability available = Podman.find();
        if (available.podman() == null) {
            skip(available.reason());
        }
        podman = available.podman();
        // one image test at a time on a machine: they share the images' tags
        lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "stream-forecaster-image-it.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockFile.lock();
        Files.createDirectories(LOGS);
        Files.deleteIfExists(BUILD_LOG);

        List<String> common = new ArrayList<>(List.of("build", "--format", "docker", "-f", "docker/Dockerfile",
                "--label", "io.streamforecaster.image-test=true"));
        if (!"public".equals(System.getProperty("forecaster.image.bases"))) {
            BaseImages.Outcome bases;
            try {
                bases = BaseImages.ensure(podman, Path.of("target", "image-bases"), BUILD_LOG);
            } catch (TestAbortedException e) {
                skip(e.getMessage());
                return;
            }
            figures.put("base images", (bases.fromCache() ? "found in podman's store" : "made") + " in " + seconds(bases.took()));
            common.addAll(List.of("--pull=never", "--build-arg", "BUILD_IMAGE=" + bases.buildImage(),
                    "--build-arg", "RUNTIME_IMAGE=" + bases.runtimeImage()));
        }
        Path m2 = Path.of(System.getProperty("forecaster.image.m2", Path.of(System.getProperty("user.home"), ".m2").toString()));
        Files.createDirectories(m2);
        common.addAll(List.of("--volume", m2.toAbsolutePath() + ":/root/.m2"));

        // the build the Dockerfile documents, without --target, must make the service's image
        Set<String> used = new HashSet<>();
        used.addAll(build(common, List.of("-t", SERVICE_IMAGE), "service image (no --target)"));
        used.addAll(build(common, List.of("--target", "tools", "-t", TOOLS_IMAGE), "tools image (--target tools)"));
        removeStaleLayers(used);
        for (String image : List.of(SERVICE_IMAGE, TOOLS_IMAGE)) {
            long size = Long.parseLong(podman.check(Duration.ofMinutes(1), "image", "inspect", "--format", "{{.Size}}", image).stdout().strip());
            figures.put("size of " + image, String.format("%.0f MB", size / 1e6));
        }

        rendered = DeploymentFiles.renderedExample();
        pod = PodTemplate.of(rendered.manifests(), "stream-forecaster", 0);
        pods.add(pod);
        figures.put("pod template from", rendered.how());

        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 2, OUTPUT, 2, DLQ, 1));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1), new TopicPartition(DLQ, 0)));
        consumer.seekToBeginning(consumer.assignment());
    }

    /** Skips the whole class, saying why where it is seen: failsafe does not report a reason given in @BeforeAll. */
    static void skip(String reason) {
        System.err.println("ImageIT skipped: " + reason);
        throw new TestAbortedException("ImageIT skipped: " + reason);
    }

    /** Builds one target; returns the ids of the layers it made or took from the cache. */
    static Set<String> build(List<String> common, List<String> specific, String what) {
        List<String> args = new ArrayList<>(common);
        args.addAll(specific);
        args.add(".");
        long start = System.nanoTime();
        Podman.Result r = podman.run(Duration.ofMinutes(45), BUILD_LOG, args);
        figures.put("build of the " + what, seconds(Duration.ofNanos(System.nanoTime() - start)));
        if (!r.ok()) {
            throw new AssertionError("podman build of the " + what + " failed; see " + BUILD_LOG + ":\n" + r.tail());
        }
        Set<String> ids = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^(?:--> |Using cache )([0-9a-f]{11,64})$").matcher(r.stdout() + "\n" + r.stderr());
        while (m.find()) {
            ids.add(m.group(1).substring(0, 11));
        }
        return ids;
    }

    /**
     * The layers of earlier builds that this one did not use (those of an earlier source, above all
     * the build stage's, with all of target/ in it) are never used again: they go, so that they do
     * not pile up. This build's stay, for the next run's cache.
     */
    static void removeStaleLayers(Set<String> used) {
        String dangling = podman.check(Duration.ofMinutes(1), "images", "--all", "--filter", "dangling=true",
                "--filter", "label=io.streamforecaster.image-test=true", "--format", "{{.ID}}").stdout();
        for (String id : dangling.split("\n")) {
            if (!id.isBlank() && !used.contains(id.strip().substring(0, 11))) {
                podman.run(Duration.ofMinutes(2), BUILD_LOG, List.of("rmi", id.strip()));
            }
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (podman != null) {
                for (String c : containers) {
                    saveLog(c);
                    podman.run(Duration.ofMinutes(2), "rm", "--force", "--volumes", "--time", "10", c);
                }
                for (PodTemplate.Pod p : pods) {
                    for (PodTemplate.Mount m : p.mounts()) {
                        if (m.claim()) {
                            podman.run(Duration.ofMinutes(1), "volume", "rm", "--force", VOLUME_PREFIX + m.volume() + "-" + p.name());
                        }
                    }
                }
            }
            if (producer != null) {
                producer.close();
            }
            if (consumer != null) {
                consumer.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (!figures.isEmpty()) {
                StringBuilder text = new StringBuilder("ImageIT figures (" + Instant.now() + "):\n");
                figures.forEach((k, v) -> text.append("  ").append(k).append(": ").append(v).append('\n'));
                System.err.print(text);
                Files.writeString(LOGS.resolve("image-it-figures.txt"), text);
            }
            if (lock != null) {
                lock.release();
                lockFile.close();
            }
        }
    }

    @Test
    @Order(1)
    void theDefaultBuildIsTheServiceAndTheToolsTargetTheReplayTool() {
        JsonNode service = inspectImage(SERVICE_IMAGE);
        assertEquals(List.of("/entrypoint.sh"), strings(service.path("Config").path("Entrypoint")), "the default build runs the service");
        assertEquals("10001:10001", service.path("Config").path("User").asText());
        // podman keeps the HEALTHCHECK beside the config (docker format, which the build asks for)
        assertTrue(service.path("Healthcheck").path("Test").toString().contains("/healthcheck.sh"), "HEALTHCHECK kept: " + service);
        assertEquals(List.of("/tmp", "/var/cache/javacpp", "/var/lib/forecaster"),
                service.path("Config").path("Volumes").properties().stream().map(Map.Entry::getKey).sorted().toList());
        JsonNode tools = inspectImage(TOOLS_IMAGE);
        assertTrue(strings(tools.path("Config").path("Entrypoint")).contains("io.streamforecaster.tools.Replay"), tools.path("Config").toString());
        assertEquals("10001:10001", tools.path("Config").path("User").asText(), "the tools run as the same non-root user");
    }

    /**
     * The pod's restricted settings and volumes under 2 GiB and one CPU, without the limits in the
     * environment: as {@code docker run} or compose start it, the entrypoint reads them from the cgroup.
     */
    @Test
    @Order(2)
    void theServiceRunsRestrictedAndSizesItselfFromTheCgroup() throws Exception {
        PodTemplate.Pod plain = pod.withCgroupLimitsOnly(PLAIN_MEMORY, PLAIN_CPUS);
        Running c = start("sf-it-" + RUN + "-plain", plain);
        figures.put("time to ready, restricted run (" + PLAIN_MEMORY / GIB + " GiB, " + PLAIN_CPUS + " CPU)", seconds(c.toReady()));

        // forecasts and dead letters flow; each key gets its model
        for (int step = 0; step < 120; step++) {
            for (int k = 0; k < generator.keys(); k++) {
                producer.send(new ProducerRecord<>(INPUT, generator.key(k), Double.toString(generator.next(k))));
                accepted++;
            }
        }
        producer.send(new ProducerRecord<>(INPUT, "image-bad", "not a number"));
        producer.flush();
        // a key's first forecast comes with its n-steps-th observation
        int expected = generator.keys() * Math.max(0, accepted / generator.keys() - (DeploymentFilesTest.settingsFrom(plain.env()).nSteps() - 1));
        await().alias("a forecast for every accepted event and the dead letter").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    poll();
                    assertEquals(expected, forecasts.size());
                    assertEquals(1, deadLetters.size());
                });
        assertEquals("not-a-number", header(deadLetters.get(0), DeadLetter.REASON));
        for (int k = 0; k < generator.keys(); k++) {
            String key = generator.key(k);
            await().alias("model of " + key).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> at(c, "/series/" + key + "/model").status() == 200);
            models.put(key, DeploymentFiles.JSON.readTree(at(c, "/series/" + key + "/model").body()));
        }
        ServiceProcess.Response metrics = at(c, "/q/metrics");
        assertEquals(200, metrics.status());
        assertEquals((double) generator.keys(), metric(metrics.body(), "forecaster_models"));

        assertTheJvmIsSizedAsDocumented(c, PLAIN_MEMORY, 1);

        // nothing written outside the volumes: the root file system is read-only, so a write there
        // would fail; none was attempted, and the writes went to the volumes. podman's own mount
        // points (/etc/hosts, /run/.containerenv...) are what the same container running nothing shows.
        List<String> outside = new ArrayList<>(changes(c.name()));
        outside.removeAll(c.engineChanges());
        outside.removeIf(line -> plain.mounts().stream().anyMatch(m -> line.substring(2).equals(m.path()) || line.substring(2).startsWith(m.path() + "/")));
        assertTrue(outside.isEmpty(), "changes outside the volumes: " + outside + " (podman's own: " + c.engineChanges() + ")");
        Podman.Result logs = podman.check(Duration.ofMinutes(1), "logs", c.name());
        String log = logs.stdout() + logs.stderr();
        assertFalse(log.contains("Read-only file system"), "a write outside the volumes was refused:\n" + log);
        // lz4-java loads its native library from /tmp, so /tmp must allow executing it
        assertTrue(log.contains("Kafka's LZ4 compression: native"), "Kafka's LZ4 is the native one:\n" + log);
        String cache = podman.check(Duration.ofMinutes(1), "exec", c.name(), "ls", "/var/cache/javacpp").stdout();
        assertFalse(cache.isBlank(), "JavaCPP extracted its native libraries into its volume");
        // in the pod's state directory, a directory of the claim's volume (not its root, whose permissions Kafka Streams cannot set)
        String claimPath = plain.mounts().stream().filter(PodTemplate.Mount::claim).findFirst().orElseThrow().path();
        String statePath = plain.env().get("FORECASTER_STATE_DIR");
        assertTrue(statePath != null && statePath.startsWith(claimPath + "/"), "state directory " + statePath + " on the claim " + claimPath);
        String state = podman.check(Duration.ofMinutes(1), "exec", c.name(), "ls", statePath).stdout();
        assertTrue(state.contains(c.applicationId()), "Kafka Streams' state in the state volume: " + state);

        // the image's HEALTHCHECK
        Podman.Result health = podman.run(Duration.ofMinutes(1), "healthcheck", "run", c.name());
        assertTrue(health.ok(), "HEALTHCHECK: " + health.tail());
        assertEquals("healthy", podman.check(Duration.ofMinutes(1), "inspect", "--format", "{{.State.Healthcheck.Status}}", c.name())
                .stdout().strip());

        // as Kubernetes deletes a pod: SIGTERM, the grace period, then the container is gone (its state volume stays)
        long stop = System.nanoTime();
        podman.check(Duration.ofMinutes(2), "stop", "--time", String.valueOf(pod.terminationGraceSeconds()), c.name());
        figures.put("graceful stop", seconds(Duration.ofNanos(System.nanoTime() - stop)));
        saveLog(c.name());
        podman.check(Duration.ofMinutes(1), "rm", "--volumes", c.name());
        containers.remove(c.name());
    }

    /**
     * The pod as Kubernetes runs it (the rendered template, limits through the downward API), on the
     * state volume the first container left: the restricted settings are those in force, the probes
     * answer, and the models come back without retraining.
     */
    @Test
    @Order(3)
    void theStatefulSetsPodRunsAsDeclaredAndGoesOnFromItsVolume() throws Exception {
        Assumptions.assumeTrue(models.size() == generator.keys(), "needs the models of the restricted run");
        Running c = start("sf-it-" + RUN + "-pod", pod);
        figures.put("time to ready, the pod (" + pod.memoryLimit() / GIB + " GiB, " + pod.cpuLimit() + " CPU, state on the volume)",
                seconds(c.toReady()));

        // the same models, not retrained. Ready comes before the restarted instance has its
        // partitions back (the model endpoint answers 503 "moving between instances" meanwhile)
        for (var e : models.entrySet()) {
            await().alias("the model of " + e.getKey() + " served again").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500)).until(() -> at(c, "/series/" + e.getKey() + "/model").status() != 503);
            ServiceProcess.Response r = at(c, "/series/" + e.getKey() + "/model");
            assertEquals(200, r.status(), e.getKey() + ": " + r.body());
            JsonNode m = DeploymentFiles.JSON.readTree(r.body());
            assertEquals(e.getValue().path("version").asLong(), m.path("version").asLong(), e.getKey());
            assertEquals(e.getValue().path("trainedAt").asText(), m.path("trainedAt").asText(), "the same model of " + e.getKey());
        }
        assertEquals(0.0, metric(at(c, "/q/metrics").body(), "forecaster_training_runs_total"), "no retraining");

        // the probes of the template answer on the port they name
        int managementPort = DeploymentFilesTest.managementPort();
        for (PodTemplate.Probe probe : pod.probes()) {
            assertEquals(managementPort, probe.containerPort(), probe.kind() + " targets the management port");
            assertEquals(200, at(c, probe.path()).status(), probe.kind() + " " + probe.path());
        }

        // the security settings the template declares are the ones the container runs under
        PodTemplate.Security s = pod.security();
        JsonNode inspect = DeploymentFiles.JSON.readTree(podman.check(Duration.ofMinutes(1), "inspect", c.name()).stdout()).get(0);
        assertEquals(s.readOnlyRoot(), inspect.path("HostConfig").path("ReadonlyRootfs").asBoolean());
        assertEquals(s.privileged(), inspect.path("HostConfig").path("Privileged").asBoolean());
        Map<String, String> status = procStatus(c.name());
        assertNotNull(s.uid(), "the template names the user");
        assertEquals(List.of(s.uid(), s.uid(), s.uid(), s.uid()), longs(status.get("Uid")), "uid " + s.uid());
        assertEquals(List.of(s.gid(), s.gid(), s.gid(), s.gid()), longs(status.get("Gid")), "gid " + s.gid());
        assertTrue(longs(status.get("Groups")).containsAll(s.groups()), "fsGroup and supplemental groups: " + status.get("Groups"));
        if (s.runAsNonRoot()) {
            assertTrue(s.uid() != 0, "runAsNonRoot");
        }
        if (s.capDrop().contains("ALL") && s.capAdd().isEmpty()) {
            for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                assertEquals(0L, Long.parseLong(status.get(set), 16), set + ": no capabilities at all");
            }
        }
        assertEquals(s.allowPrivilegeEscalation() ? "0" : "1", status.get("NoNewPrivs"), "allowPrivilegeEscalation " + s.allowPrivilegeEscalation());
        assertEquals("2", status.get("Seccomp"), "a seccomp filter (" + s.seccomp() + ") is in force");
        Podman.Result write = podman.run(Duration.ofMinutes(1), "exec", c.name(), "touch", "/written-outside-the-volumes");
        assertEquals(s.readOnlyRoot(), !write.ok() && write.tail().contains("Read-only file system"), "read-only root: " + write.tail());
        for (PodTemplate.Mount m : pod.mounts()) {
            if (m.readOnly()) {
                // mounted read-only as the template says (the Kafka credentials)
                Podman.Result touch = podman.run(Duration.ofMinutes(1), "exec", c.name(), "touch", m.path() + "/.writable");
                assertTrue(!touch.ok() && touch.tail().contains("Read-only file system"), m.path() + " is read-only: " + touch.tail());
                continue;
            }
            podman.check(Duration.ofMinutes(1), "exec", c.name(), "touch", m.path() + "/.writable");
            podman.check(Duration.ofMinutes(1), "exec", c.name(), "rm", m.path() + "/.writable");
        }
        String limit = podman.check(Duration.ofMinutes(1), "exec", c.name(), "bash", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes").stdout().strip();
        assertEquals(pod.memoryLimit(), Long.parseLong(limit), "the memory limit is the container's cgroup's");

        assertTheJvmIsSizedAsDocumented(c, pod.memoryLimit(), pod.cpuLimit().setScale(0, java.math.RoundingMode.CEILING).intValueExact());
    }

    @Test
    @Order(4)
    void theToolsImageReplaysIntoTheBroker() throws Exception {
        Assumptions.assumeTrue(containers.size() == 1, "needs the running pod");
        poll();
        int before = forecasts.size();
        int count = 200;
        Podman.Result replay = podman.run(Duration.ofMinutes(3), null, List.of("run", "--rm", "--network", "host", "--read-only",
                "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", TOOLS_IMAGE,
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic", INPUT, "--generate", "2", "--count", String.valueOf(count),
                "--rate", "0"));
        assertTrue(replay.ok(), "replay: " + replay.tail());
        assertTrue(replay.stderr().contains("to " + INPUT), replay.tail());
        await().alias("a forecast for each replayed event").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    poll();
                    assertEquals(before + count, forecasts.size());
                });
    }

    /**
     * The pod with k8s/components/http-tls, the Secret's files made by a test CA for localhost: the
     * service speaks HTTPS only on both ports, each probe's path answers over the scheme the
     * template gives it, and the image's HEALTHCHECK reports healthy.
     */
    @Test
    @Order(5)
    void withTheHttpTlsComponentTheProbesAndTheHealthcheckSpeakHttps() throws Exception {
        List<JsonNode> docs = DeploymentFiles.renderedExampleWithHttpTls();
        Assumptions.assumeTrue(docs != null, "ImageIT: the HTTP TLS pod is rendered by kubectl, which is not on the PATH");
        // one service at a time on two cores: the pod of the tests before has done its part
        for (String name : new ArrayList<>(containers)) {
            saveLog(name);
            podman.run(Duration.ofMinutes(2), "rm", "--force", "--time", "30", name);
            containers.remove(name);
        }
        // ordinal 1: a claim of its own
        PodTemplate.Pod template = PodTemplate.of(docs, "stream-forecaster", 1);
        pods.add(template);
        String secret = template.mounts().stream().map(PodTemplate.Mount::secret).filter(java.util.Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError("the component mounts a Secret: " + template.mounts()));
        Path files = Files.createDirectories(LOGS.resolve("http-tls-secret-" + RUN));
        TestPki pki = TestPki.create(files.resolveSibling("http-tls-pki-" + RUN), "image-it-ca");
        TestPki.Issued server = pki.issue("localhost", "localhost");
        Files.copy(server.certificatePem(), files.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server.keyPem(), files.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.caPem(), files.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        // the Secret's files as the pod's fsGroup reads them (here: as anyone)
        try (var list = Files.list(files)) {
            for (Path f : list.toList()) {
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        PodTemplate.Pod tls = template.withCgroupLimitsOnly(PLAIN_MEMORY, PLAIN_CPUS).withSecret(secret, files);
        HttpClient https = HttpClient.newBuilder().sslContext(pki.trustingContext()).connectTimeout(Duration.ofSeconds(2)).build();

        Running c = start("sf-it-" + RUN + "-tls", tls, https);
        figures.put("time to ready, the pod with HTTP TLS", seconds(c.toReady()));
        for (PodTemplate.Probe probe : tls.probes()) {
            assertEquals("HTTPS", probe.scheme(), probe.kind());
            assertEquals(200, get(https, "https", c.managementPort(), probe.path()).status(), probe.kind() + " " + probe.path() + " over HTTPS");
        }
        assertEquals(-1, get(HTTP, "http", c.managementPort(), "/q/health/live").status(), "the management port speaks HTTPS only");
        assertEquals(-1, get(HTTP, "http", c.port(), "/series").status(), "the API speaks HTTPS only");
        assertEquals(200, get(https, "https", c.port(), "/series").status(), "the API over HTTPS");

        Podman.Result health = podman.run(Duration.ofMinutes(1), "healthcheck", "run", c.name());
        assertTrue(health.ok(), "HEALTHCHECK over HTTPS: " + health.tail());
        assertEquals("healthy", podman.check(Duration.ofMinutes(1), "inspect", "--format", "{{.State.Healthcheck.Status}}", c.name())
                .stdout().strip());
    }

    // ---- running containers

    /**
     * A started container: its name, host port, application id, the time it took to become ready and
     * what {@code podman diff} shows for the same container running nothing (podman's own mount points).
     */
    /** A started container: its API port, and its management port (health and metrics, the /q/ paths). */
    record Running(String name, int port, int managementPort, String applicationId, Duration toReady, List<String> engineChanges) {
    }

    /** GET a path of the container: /q/ paths (health, metrics) on its management port, the rest on its API port. */
    static ServiceProcess.Response at(Running c, String path) throws Exception {
        return get(path.startsWith("/q/") ? c.managementPort() : c.port(), path);
    }

    static List<String> changes(String container) {
        return Arrays.stream(podman.check(Duration.ofMinutes(1), "diff", container).stdout().split("\n"))
                .filter(l -> l.length() > 2).toList();
    }

    static Running start(String name, PodTemplate.Pod p) throws Exception {
        return start(name, p, null);
    }

    /**
     * Starts the pod {@code p} as container {@code name} and waits until it is ready.
     *
     * @param https the client that trusts its certificate when it speaks HTTPS (the HTTP TLS component), else null
     */
    static Running start(String name, PodTemplate.Pod p, HttpClient https) throws Exception {
        int port;
        int managementPort;
        try (ServerSocket s = new ServerSocket(0); ServerSocket m = new ServerSocket(0)) {
            port = s.getLocalPort();
            managementPort = m.getLocalPort();
        }
        Map<String, String> env = new LinkedHashMap<>();
        String applicationId = "image-it-" + RUN;
        env.put("QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        // the test's broker listens in plaintext: the overlay's SASL_SSL credentials (files from a
        // Secret that Kubernetes would mount; SecuredKafkaIT covers them) are left out
        p.env().keySet().stream().filter(k -> k.startsWith("FORECASTER_KAFKA_")).forEach(k -> env.put(k, null));
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", applicationId);
        env.put("FORECASTER_TOPICS_INPUT", INPUT);
        env.put("FORECASTER_TOPICS_OUTPUT", OUTPUT);
        env.put("FORECASTER_TOPICS_DEAD_LETTER", DLQ);
        // the host network: the service's port moves to a free one (the probes' containerPort is reached there)
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        if (https != null) {
            env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port));
        }
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        // quick first models, and one model per key, so that a retrain after the restart would show
        env.put("FORECASTER_TRAINING_MIN_OBSERVATIONS", "40");
        env.put("FORECASTER_TRAINING_MIN_NEW_OBSERVATIONS", "100000");
        env.put("FORECASTER_TRAINING_INTERVAL", "2s");
        env.put("FORECASTER_TRAINING_CHECK_INTERVAL", "500ms");
        env.put("FORECASTER_TRAINING_EPOCHS", "40");
        assertFalse(p.env().containsKey("QUARKUS_HTTP_PORT"), "the template keeps the service's own port");
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(p.runArgs(name, SERVICE_IMAGE, VOLUME_PREFIX, env));
        Files.writeString(LOGS.resolve("image-" + name + ".cmd"), "podman " + String.join(" ", args) + "\n");

        // the same container running nothing: what podman itself changes in the root file system
        List<String> idle = new ArrayList<>(args);
        idle.set(idle.indexOf(name), name + "-idle");
        idle.remove("--detach");
        idle.addAll(idle.size() - 1, List.of("--entrypoint", "true"));
        podman.run(Duration.ofMinutes(2), null, idle).orFail();
        List<String> engineChanges = changes(name + "-idle");
        podman.check(Duration.ofMinutes(1), "rm", "--volumes", name + "-idle");
        long start = System.nanoTime();
        podman.run(Duration.ofMinutes(2), null, args).orFail();
        containers.add(name);
        int boundPort = managementPort;
        try {
            await().alias(name + " ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                String running = podman.run(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Running}}", name).stdout().strip();
                assertEquals("true", running, name + " exited; see " + LOGS.resolve("image-" + name + ".log"));
                return (https == null ? get(HTTP, "http", boundPort, "/q/health/ready")
                        : get(https, "https", boundPort, "/q/health/ready")).status() == 200;
            });
        } catch (Throwable t) {
            saveLog(name);
            throw t;
        }
        return new Running(name, port, managementPort, applicationId, Duration.ofNanos(System.nanoTime() - start), engineChanges);
    }

    /**
     * The running JVM's heap, ND4J off-heap and OpenMP settings against the README's shares of the
     * container's limits: read from the JVM's own command line and environment ({@code /proc/1}, the
     * entrypoint having exec'd java) and, where the service reports them, from its metrics.
     */
    static void assertTheJvmIsSizedAsDocumented(Running c, long memoryLimit, int cpus) throws Exception {
        DeploymentFiles.Sizing documented = DeploymentFiles.documentedSizing();
        List<String> cmdline = Arrays.asList(podman.check(Duration.ofMinutes(1), "exec", c.name(), "cat", "/proc/1/cmdline")
                .stdout().split("\0"));
        assertTrue(cmdline.get(0).endsWith("java"), "java is the container's first process (signals reach it): " + cmdline);
        Map<String, String> environ = new HashMap<>();
        for (String e : podman.check(Duration.ofMinutes(1), "exec", c.name(), "cat", "/proc/1/environ").stdout().split("\0")) {
            if (e.contains("=")) {
                environ.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
            }
        }
        long heap = flag(cmdline, "-Xmx");
        long maxBytes = flag(cmdline, "-Dorg.bytedeco.javacpp.maxbytes=");
        long maxPhysical = flag(cmdline, "-Dorg.bytedeco.javacpp.maxphysicalbytes=");
        assertShare("heap (-Xmx)", heap, memoryLimit, documented.heapPercent());
        assertShare("ND4J off-heap (maxbytes)", maxBytes, memoryLimit, documented.offheapPercent());
        assertShare("all native memory (maxphysicalbytes)", maxPhysical, memoryLimit, documented.physicalPercent());
        assertShare("RocksDB (forecaster.memory.rocksdb)", Long.parseLong(environ.get("FORECASTER_MEMORY_ROCKSDB")), memoryLimit,
                documented.rocksdbPercent());
        assertEquals(cpus, flag(cmdline, "-XX:ActiveProcessorCount="), "ActiveProcessorCount: " + cmdline);
        assertEquals(String.valueOf(cpus), environ.get("OMP_NUM_THREADS"), "OpenMP threads");
        String scrape = at(c, "/q/metrics").body();
        assertEquals((double) maxBytes, metric(scrape, "forecaster_offheap_max_bytes"), "the limit ND4J's allocator works with");
        assertEquals((double) cpus, metric(scrape, "system_cpu_count"), "the processors the JVM sees");
        figures.put("JVM of " + c.name(), String.format("-Xmx %d MiB, maxbytes %d MiB, maxphysicalbytes %d MiB, %d CPU, OMP_NUM_THREADS %s",
                heap >> 20, maxBytes >> 20, maxPhysical >> 20, cpus, environ.get("OMP_NUM_THREADS")));
    }

    static void assertShare(String what, long actual, long limit, int percent) {
        double expected = limit * percent / 100.0;
        assertTrue(Math.abs(actual - expected) <= limit / 10_000.0,
                what + " is " + actual + ", not " + percent + " % of the " + limit + "-byte limit");
    }

    static long flag(List<String> cmdline, String prefix) {
        return cmdline.stream().filter(a -> a.startsWith(prefix)).map(a -> Long.parseLong(a.substring(prefix.length())))
                .reduce((a, b) -> b) // the JVM takes the last
                .orElseThrow(() -> new AssertionError("no " + prefix + " in the JVM's command line " + cmdline));
    }

    static Map<String, String> procStatus(String container) {
        Map<String, String> status = new HashMap<>();
        for (String line : podman.check(Duration.ofMinutes(1), "exec", container, "cat", "/proc/1/status").stdout().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return status;
    }

    static List<Long> longs(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.stream(text.strip().split("\\s+")).map(Long::parseLong).toList();
    }

    static void saveLog(String container) {
        if (podman == null) {
            return;
        }
        Podman.Result logs = podman.run(Duration.ofMinutes(1), "logs", container);
        try {
            Files.writeString(LOGS.resolve("image-" + container + ".log"), logs.stdout() + logs.stderr());
        } catch (IOException e) {
            System.err.println("ImageIT: cannot save the log of " + container + ": " + e);
        }
    }

    static JsonNode inspectImage(String image) {
        try {
            return DeploymentFiles.JSON.readTree(podman.check(Duration.ofMinutes(1), "image", "inspect", image).stdout()).get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---- the broker and the service's HTTP side

    static void poll() {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            (r.topic().equals(OUTPUT) ? forecasts : deadLetters).add(r);
        }
    }

    static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** GET on the service; status -1 when it does not answer (yet). */
    static ServiceProcess.Response get(int port, String path) {
        return get(HTTP, "http", port, path);
    }

    /** GET on the service over {@code scheme} (https: at localhost, the name its test certificate carries); status -1 when it does not answer. */
    static ServiceProcess.Response get(HttpClient client, String scheme, int port, String path) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(scheme + "://" + ("https".equals(scheme) ? "localhost" : "127.0.0.1")
                            + ":" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new ServiceProcess.Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new ServiceProcess.Response(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of a metric's series in a Prometheus scrape. */
    static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            found = true;
        }
        assertTrue(found, name + " is not in the scrape");
        return sum;
    }

    static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
