package io.streamforecaster.deploy;

import static io.streamforecaster.deploy.DeploymentFiles.BASE;
import static io.streamforecaster.deploy.DeploymentFiles.DOCKER;
import static io.streamforecaster.deploy.DeploymentFiles.K8S;
import static io.streamforecaster.deploy.DeploymentFiles.OVERLAY;
import static io.streamforecaster.deploy.DeploymentFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.Source;
import io.streamforecaster.ingest.RejectReason;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.Selection;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Keeps docker/ and k8s/ true without Docker or a cluster: every file parses, and the ports, probe
 * paths, settings and metric names they use are the service's own. (That the probe paths answer
 * and that every dashboard query returns data on a running service is checked by DeploymentIT.)
 */
class DeploymentFilesTest {

    static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(ROOT.resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    static int httpPort() throws IOException {
        return Integer.parseInt(applicationProperties().getProperty("quarkus.http.port"));
    }

    static int managementPort() throws IOException {
        return Integer.parseInt(applicationProperties().getProperty("quarkus.management.port"));
    }

    /** Where the management interface serves the metrics: its root path (/q) and the Prometheus path. */
    static String metricsPath() throws IOException {
        Properties p = applicationProperties();
        String path = p.getProperty("quarkus.micrometer.export.prometheus.path");
        return path.startsWith("/") ? path : p.getProperty("quarkus.management.root-path", "/q") + "/" + path;
    }

    /** forecaster.* keys of the contract, from the config mapping itself (kebab-case, as MicroProfile Config names them). */
    static Set<String> forecasterKeys() {
        Set<String> keys = new TreeSet<>();
        collectKeys(ForecasterConfig.class, "forecaster", keys);
        collectKeys(io.streamforecaster.kafka.KafkaSecurityConfig.class, "forecaster.kafka", keys);
        collectKeys(io.streamforecaster.api.ApiSecurityConfig.class, "forecaster.api", keys);
        return keys;
    }

    private static void collectKeys(Class<?> type, String prefix, Set<String> out) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String name = prefix + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getDeclaringClass() != null && r.getName().startsWith("io.streamforecaster.")) {
                collectKeys(r, name, out);
            } else {
                out.add(name);
            }
        }
    }

    /** The environment variable MicroProfile Config maps a property to: non-alphanumerics to _, upper case. */
    static String envName(String property) {
        return property.replaceAll("[^a-zA-Z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Every environment variable the service (or its entrypoint) reads, mapped to what it sets. */
    static Map<String, String> knownEnv() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : forecasterKeys()) {
            env.put(envName(k), k);
        }
        for (String k : applicationProperties().stringPropertyNames()) {
            env.put(envName(k), k);
        }
        for (String k : StreamsConfig.configDef().names()) {
            env.put(envName("kafka-streams." + k), "kafka-streams." + k);
        }
        // placeholders in application.properties, and what docker/entrypoint.sh reads
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+)[:}]").matcher(DeploymentFiles.read(ROOT.resolve("src/main/resources/application.properties")));
        while (m.find()) {
            env.put(m.group(1), "placeholder " + m.group(1));
        }
        for (String e : List.of("MEMORY_LIMIT_BYTES", "CPU_LIMIT", "HEAP_PERCENT", "OFFHEAP_PERCENT", "PHYSICAL_PERCENT",
                "OMP_NUM_THREADS", "JAVA_OPTS", "POD_NAME", "POD_NAMESPACE", "QUARKUS_HTTP_HOST", "LANG")) {
            env.put(e, "entrypoint/runtime " + e);
        }
        return env;
    }

    @Test
    void everyManifestComposeFileAndTheDashboardParse() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(K8S), Files.walk(DOCKER))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml") || p.toString().endsWith(".json")).toList();
        }
        assertTrue(files.size() >= 15, "found " + files);
        for (Path f : files) {
            List<JsonNode> docs = f.toString().endsWith(".json") ? List.of(DeploymentFiles.json(f)) : DeploymentFiles.yamlDocuments(f);
            assertFalse(docs.isEmpty(), f + " is empty");
        }
        for (JsonNode m : DeploymentFiles.baseManifests()) {
            assertTrue(m.has("apiVersion") && m.has("kind") && m.path("metadata").has("name"), "not a Kubernetes object: " + m);
        }
    }

    @Test
    void thePortsAreTheServicesEverywhere() throws IOException {
        int port = httpPort();
        int management = managementPort();
        String dockerfile = DeploymentFiles.read(DOCKER.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("EXPOSE " + port + " " + management), "Dockerfile exposes " + port + " and " + management);
        assertTrue(DeploymentFiles.read(DOCKER.resolve("healthcheck.sh")).contains("port=\"${QUARKUS_MANAGEMENT_PORT:-" + management + "}\""),
                "the image's health check (docker/healthcheck.sh) on the management port " + management + " or where QUARKUS_MANAGEMENT_PORT moves it");

        JsonNode c = DeploymentFiles.container();
        assertEquals(port, c.path("ports").get(0).path("containerPort").asInt());
        assertEquals(management, c.path("ports").get(1).path("containerPort").asInt());
        String portName = c.path("ports").get(0).path("name").asText();
        String managementName = c.path("ports").get(1).path("name").asText();
        for (String svc : List.of("stream-forecaster", "stream-forecaster-headless")) {
            JsonNode ports = DeploymentFiles.manifest("Service", svc).path("spec").path("ports");
            assertEquals(1, ports.size(), svc + " carries the API port only");
            assertEquals(portName, ports.get(0).path("targetPort").asText(), svc);
            assertEquals(port, ports.get(0).path("port").asInt(), svc);
        }
        JsonNode mgmt = DeploymentFiles.manifest("Service", "stream-forecaster-management").path("spec").path("ports");
        assertEquals(1, mgmt.size());
        assertEquals(managementName, mgmt.get(0).path("targetPort").asText());
        assertEquals(management, mgmt.get(0).path("port").asInt());
        JsonNode monitor = DeploymentFiles.manifest("ServiceMonitor", "stream-forecaster");
        assertEquals(managementName, monitor.path("spec").path("endpoints").get(0).path("port").asText());
        assertEquals(metricsPath(), monitor.path("spec").path("endpoints").get(0).path("path").asText());

        JsonNode compose = DeploymentFiles.yaml(DOCKER.resolve("compose.yaml")).path("services");
        assertEquals(port + ":" + port, compose.path("forecaster").path("ports").get(0).asText());
        assertEquals(management + ":" + management, compose.path("forecaster").path("ports").get(1).asText());
        JsonNode prometheus = DeploymentFiles.yaml(DeploymentFiles.PROMETHEUS).path("scrape_configs").get(0);
        assertEquals("forecaster:" + management, prometheus.path("static_configs").get(0).path("targets").get(0).asText());
        assertEquals(metricsPath(), prometheus.path("metrics_path").asText());
    }

    @Test
    void probesUseTheQuarkusHealthPathsOnTheManagementPort() {
        JsonNode c = DeploymentFiles.container();
        String portName = c.path("ports").get(1).path("name").asText();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = c.path(probe).path("httpGet");
            assertTrue(HEALTH_PATHS.contains(get.path("path").asText()), probe + " on " + get.path("path"));
            assertEquals(portName, get.path("port").asText(), probe);
        }
        assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
    }

    /** The API port is open to the other instances and to labelled clients; the management port to Prometheus' namespace only. */
    @Test
    void theNetworkPolicyOpensTheManagementPortToPrometheusOnly() {
        JsonNode c = DeploymentFiles.container();
        String api = c.path("ports").get(0).path("name").asText();
        String management = c.path("ports").get(1).path("name").asText();
        JsonNode ingress = DeploymentFiles.manifest("NetworkPolicy", "stream-forecaster").path("spec").path("ingress");
        for (JsonNode rule : ingress) {
            List<String> ports = new ArrayList<>();
            rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
            assertEquals(1, ports.size(), "one port per rule: " + rule);
            if (ports.get(0).equals(management)) {
                assertEquals(1, rule.path("from").size(), rule.toString());
                assertEquals("monitoring", rule.path("from").get(0).path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText());
            } else {
                assertEquals(api, ports.get(0));
                rule.path("from").forEach(f -> assertFalse(f.has("namespaceSelector"), "the API is not opened to other namespaces: " + f));
            }
        }
    }

    @Test
    void everySettingTheFilesSetIsOneTheServiceReads() throws IOException {
        Map<String, String> known = knownEnv();
        Map<String, String> set = new LinkedHashMap<>();
        for (String line : Files.readAllLines(BASE.resolve("config.env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                set.put(line.substring(0, line.indexOf('=')), "k8s/base/config.env");
            }
        }
        for (JsonNode gen : DeploymentFiles.yaml(OVERLAY.resolve("kustomization.yaml")).path("configMapGenerator")) {
            gen.path("literals").forEach(l -> set.put(l.asText().substring(0, l.asText().indexOf('=')), "overlay literal"));
        }
        DeploymentFiles.container().path("env").forEach(e -> set.put(e.path("name").asText(), "StatefulSet env"));
        DeploymentFiles.yaml(DOCKER.resolve("compose.yaml")).path("services").path("forecaster").path("environment")
                .fieldNames().forEachRemaining(n -> set.put(n, "compose"));
        Matcher env = Pattern.compile("(?m)^ENV ((?:.|\\\\\\n)*?)(?<!\\\\)$").matcher(DeploymentFiles.read(DOCKER.resolve("Dockerfile")));
        while (env.find()) {
            Matcher kv = Pattern.compile("([A-Z_]+)=").matcher(env.group(1));
            while (kv.find()) {
                set.put(kv.group(1), "Dockerfile");
            }
        }
        assertTrue(set.size() > 20, "settings found: " + set.keySet());
        List<String> unknown = new ArrayList<>();
        set.forEach((name, where) -> {
            if (!known.containsKey(name)) {
                unknown.add(name + " (" + where + ")");
            }
        });
        assertTrue(unknown.isEmpty(), "settings the service does not read: " + unknown);
        // a key the contract names is there under its own name
        assertTrue(set.containsKey("FORECASTER_MODEL_VARIANT") && set.containsKey("QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS"));
    }

    /** The names the service's own meters have in a Prometheus scrape, after each was used once. */
    static Set<String> forecasterMetricNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ForecasterMetrics m = new ForecasterMetrics(registry, () -> 0, 5);
        m.event();
        m.rejected(RejectReason.NOT_A_NUMBER);
        m.productionError();
        m.prediction(Source.LSTM, 1000);
        m.scored(Source.LSTM, 1, 1);
        m.intervalChecked(true);
        m.challenge(Selection.Decision.PROMOTED);
        m.fallback(true);
        m.training(ForecasterMetrics.TrainingOutcome.SUCCESS, TimeUnit.SECONDS.toNanos(1));
        m.handoff(1000);
        m.series("t", "k", 1, 2, 0, 3, 1, 1);
        m.memory(() -> 1, () -> 2, () -> 0);
        m.modelAge(60_000);
        m.trainingRequested("drift");
        m.driftDetected();
        m.anomalyScored("k", 0.9, true);
        return DeploymentFiles.scrapedNames(registry.scrape());
    }

    /**
     * Each series is drawn in its own unit: a count drawn on a bytes axis reads "3 B" beside budgets
     * of hundreds of MB. A series is in bytes exactly when every metric it reads is, and in a unit
     * of time (s, ms) exactly when it reads durations.
     */
    @Test
    void everyDashboardSeriesIsDrawnInTheUnitOfWhatItReads() {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        List<JsonNode> panels = new ArrayList<>();
        DeploymentFiles.json(DeploymentFiles.DASHBOARD).path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        });
        for (JsonNode panel : panels) {
            String unit = panel.path("fieldConfig").path("defaults").path("unit").asText("");
            java.util.Map<String, String> byRef = new java.util.HashMap<>();
            for (JsonNode o : panel.path("fieldConfig").path("overrides")) {
                if (o.path("matcher").path("id").asText().equals("byFrameRefID")) {
                    for (JsonNode prop : o.path("properties")) {
                        if (prop.path("id").asText().equals("unit")) {
                            byRef.put(o.path("matcher").path("options").asText(), prop.path("value").asText());
                        }
                    }
                }
            }
            for (JsonNode target : panel.path("targets")) {
                String u = byRef.getOrDefault(target.path("refId").asText(), unit);
                List<String> metrics = new ArrayList<>();
                java.util.regex.Matcher m = DeploymentFiles.METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    metrics.add(m.group(1));
                }
                if (metrics.isEmpty()) {
                    continue;
                }
                checked++;
                boolean bytes = metrics.stream().allMatch(n -> n.endsWith("_bytes"));
                boolean seconds = metrics.stream().allMatch(n -> n.contains("_seconds"));
                boolean time = u.equals("s") || u.equals("ms");
                if (u.equals("bytes") != bytes || time != seconds) {
                    wrong.add(panel.path("title").asText() + " / " + target.path("legendFormat").asText() + ": unit '" + u + "' for " + metrics);
                }
            }
        }
        assertTrue(checked > 30, "series checked: " + checked);
        assertTrue(wrong.isEmpty(), "series drawn in another unit than what they read: " + wrong);
    }

    @Test
    void everyForecasterMetricOfTheDashboardIsOneTheServiceServes() {
        Set<String> served = forecasterMetricNames();
        Set<String> used = DeploymentFiles.dashboardMetrics();
        assertTrue(used.size() > 15, "metrics found in the dashboard: " + used);
        List<String> missing = new ArrayList<>();
        for (String name : used) {
            if (name.startsWith("forecaster_") && !served.contains(name)) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "dashboard metrics the service does not serve: " + missing + "; it serves " + served);
    }

    /**
     * The alerts are one set for compose's Prometheus and the Prometheus Operator, read only metrics
     * the service serves (or Kafka's client metrics, which the dashboard reads too), and are valid
     * rules to Prometheus' own checker when it is installed (DeploymentIT evaluates them on a real one).
     */
    @Test
    void theAlertsAreOneSetForComposeAndKubernetesOnMetricsTheServiceServes() throws Exception {
        JsonNode rule = DeploymentFiles.manifest("PrometheusRule", "stream-forecaster");
        assertEquals(DeploymentFiles.yaml(DeploymentFiles.ALERTS).path("groups"), rule.path("spec").path("groups"),
                "k8s/base/prometheusrule.yaml holds docker/prometheus/alerts.yml's groups");
        assertTrue(DeploymentFiles.alertExpressions().size() >= 8, DeploymentFiles.alertExpressions().toString());
        Set<String> served = forecasterMetricNames();
        Set<String> dashboard = DeploymentFiles.dashboardMetrics();
        for (String name : DeploymentFiles.alertMetrics()) {
            assertTrue(served.contains(name) || (!name.startsWith("forecaster_") && dashboard.contains(name)),
                    "an alert reads " + name + ", which neither the service serves nor the dashboard reads");
        }
        assertTrue(DeploymentFiles.yaml(DeploymentFiles.PROMETHEUS).path("rule_files").toString().contains("alerts.yml"));
        Path promtool = onPath("promtool");
        if (promtool == null) {
            System.err.println("promtool is not on the PATH (Debian: prometheus): the alerts' syntax is checked by DeploymentIT only");
            return;
        }
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", DeploymentFiles.ALERTS.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void theDashboardHasThePanelsUsersNeed() {
        JsonNode d = DeploymentFiles.json(DeploymentFiles.DASHBOARD);
        Set<String> titles = new HashSet<>();
        d.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        for (String t : List.of("Events in", "Rejected by reason", "Forecasts by source", "Forecast latency", "Consumer lag",
                "Training runs", "Training duration", "Training queue and hand-off", "Models", "Online MAE against naive",
                "JVM heap", "Off-heap (ND4J via JavaCPP) and JVM non-heap", "Actual, forecast and interval", "Model age",
                "Training backlog", "Retrains by reason", "State memory budget", "Dead letters, production errors and faults",
                "Anomalies by group", "Anomaly score distribution")) {
            assertTrue(titles.contains(t), "panel '" + t + "' in " + titles);
        }
        var ids = new HashSet<Integer>();
        d.path("panels").forEach(p -> assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique"));
        assertEquals("key", d.path("templating").path("list").get(1).path("name").asText(), "per-series drill-down variable");
    }

    @Test
    void theAnomalyPanelsShowAnomaliesByGroupAndTheScoresAsABucketedDistribution() {
        JsonNode d = DeploymentFiles.json(DeploymentFiles.DASHBOARD);
        Map<String, JsonNode> byTitle = new LinkedHashMap<>();
        d.path("panels").forEach(p -> byTitle.put(p.path("title").asText(), p));
        JsonNode group = byTitle.get("Anomalies by group").path("targets").get(0);
        assertTrue(group.path("expr").asText().matches("sum by \\(group\\) \\(rate\\(forecaster_anomalies_total\\[\\w+]\\)\\).*"), group.toString());
        assertEquals("{{group}}", group.path("legendFormat").asText(), "one line per key group");
        JsonNode distribution = byTitle.get("Anomaly score distribution");
        assertEquals("heatmap", distribution.path("type").asText());
        assertFalse(distribution.path("options").path("calculate").asBoolean(true), "the service's buckets as they are, not re-bucketed by Grafana");
        JsonNode scores = distribution.path("targets").get(0);
        assertTrue(scores.path("expr").asText().matches("sum by \\(le\\) \\(increase\\(forecaster_anomaly_score_bucket\\[\\w+]\\)\\)"), scores.toString());
        assertEquals("heatmap", scores.path("format").asText(), "cumulative buckets turned into counts per band");
        int gridTop = byTitle.get("Anomalies").path("gridPos").path("y").asInt();
        assertEquals(gridTop + 1, byTitle.get("Anomalies by group").path("gridPos").path("y").asInt(), "under their row");
        assertEquals(gridTop + 1, distribution.path("gridPos").path("y").asInt(), "under their row");
    }

    @Test
    void podsPassTheRestrictedPodSecurityProfile() {
        JsonNode spec = DeploymentFiles.manifest("StatefulSet", "stream-forecaster").path("spec").path("template").path("spec");
        JsonNode pod = spec.path("securityContext");
        assertTrue(pod.path("runAsNonRoot").asBoolean());
        assertTrue(pod.path("runAsUser").asInt() > 0);
        assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText());
        assertFalse(spec.path("hostNetwork").asBoolean() || spec.path("hostPID").asBoolean() || spec.path("hostIPC").asBoolean());
        spec.path("volumes").forEach(v -> assertFalse(v.has("hostPath"), "no hostPath volumes"));
        for (JsonNode c : spec.path("containers")) {
            JsonNode sc = c.path("securityContext");
            assertEquals(false, sc.path("allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation: false");
            assertFalse(sc.path("privileged").asBoolean());
            assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
            assertEquals(List.of("ALL"), List.of(sc.path("capabilities").path("drop").get(0).asText()));
            assertFalse(sc.path("capabilities").has("add"), "no capabilities added");
            assertTrue(c.path("resources").path("limits").has("memory") && c.path("resources").path("limits").has("cpu"));
        }
        // the image's writable places are all mounted, since the root file system is read-only
        Matcher vol = Pattern.compile("VOLUME \\[(.*)]").matcher(DeploymentFiles.read(DOCKER.resolve("Dockerfile")));
        assertTrue(vol.find());
        Set<String> mounted = new HashSet<>();
        DeploymentFiles.container().path("volumeMounts").forEach(m -> mounted.add(m.path("mountPath").asText()));
        for (String v : vol.group(1).split(",")) {
            assertTrue(mounted.contains(v.trim().replace("\"", "")), v + " mounted in the StatefulSet: " + mounted);
        }
        String dockerfile = DeploymentFiles.read(DOCKER.resolve("Dockerfile"));
        Matcher user = Pattern.compile("(?m)^ARG UID=(\\d+)").matcher(dockerfile);
        assertTrue(user.find());
        assertEquals(Integer.parseInt(user.group(1)), pod.path("runAsUser").asInt(), "the image's own non-root user");
        assertTrue(dockerfile.contains("USER ${UID}"));
        JsonNode namespace = DeploymentFiles.yaml(OVERLAY.resolve("namespace.yaml"));
        assertEquals("restricted", namespace.path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText());
    }

    @Test
    void interactiveQueriesReachThePodThatOwnsTheKey() {
        JsonNode sts = DeploymentFiles.manifest("StatefulSet", "stream-forecaster");
        String headless = sts.path("spec").path("serviceName").asText();
        JsonNode svc = DeploymentFiles.manifest("Service", headless);
        assertEquals("None", svc.path("spec").path("clusterIP").asText());
        JsonNode host = null;
        for (JsonNode e : DeploymentFiles.container().path("env")) {
            if (e.path("name").asText().equals("FORECASTER_HOST")) {
                host = e;
            }
        }
        assertNotNull(host);
        assertEquals("$(POD_NAME)." + headless + ".$(POD_NAMESPACE).svc.cluster.local", host.path("value").asText());
        // queries are forwarded to the StatefulSet's own pods only: every pod's host matches, an outsider's does not
        String peers = null;
        for (JsonNode e : DeploymentFiles.container().path("env")) {
            if (e.path("name").asText().equals("FORECASTER_API_PEER_HOSTS")) {
                peers = e.path("value").asText().replace("$(POD_NAMESPACE)", "prod");
            }
        }
        assertNotNull(peers);
        var allowed = io.streamforecaster.api.PeerHosts.of(java.util.Optional.of(peers), "stream-forecaster-0." + headless + ".prod.svc.cluster.local");
        assertTrue(allowed.allows("stream-forecaster-12." + headless + ".prod.svc.cluster.local"));
        assertFalse(allowed.allows("stream-forecaster-1." + headless + ".other.svc.cluster.local"), "another namespace's");
        assertFalse(allowed.allows("evil.example"));
        // both Services select the StatefulSet's pods; only the main one is scraped
        JsonNode podLabels = sts.path("spec").path("template").path("metadata").path("labels");
        for (String s : List.of("stream-forecaster", headless)) {
            DeploymentFiles.manifest("Service", s).path("spec").path("selector").fields()
                    .forEachRemaining(f -> assertEquals(f.getValue().asText(), podLabels.path(f.getKey()).asText(), s + " selects the pods"));
        }
        JsonNode monitorSelector = DeploymentFiles.manifest("ServiceMonitor", "stream-forecaster").path("spec").path("selector").path("matchLabels");
        assertFalse(matches(monitorSelector, svc.path("metadata").path("labels")), "the headless Service is not scraped a second time");
        assertFalse(matches(monitorSelector, DeploymentFiles.manifest("Service", "stream-forecaster").path("metadata").path("labels")),
                "the clients' Service has no metrics port");
        assertTrue(matches(monitorSelector, DeploymentFiles.manifest("Service", "stream-forecaster-management").path("metadata").path("labels")));
        assertTrue(sts.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText()
                .equals(DeploymentFiles.container().path("volumeMounts").get(0).path("name").asText()), "state on the claim");
        // in a directory of the claim, not its root, whose permissions Kafka Streams cannot set (the kubelet owns it)
        String claimMount = DeploymentFiles.container().path("volumeMounts").get(0).path("mountPath").asText();
        String stateDir = null;
        for (JsonNode e : DeploymentFiles.container().path("env")) {
            if (e.path("name").asText().equals("FORECASTER_STATE_DIR")) {
                stateDir = e.path("value").asText();
            }
        }
        assertTrue(stateDir != null && stateDir.startsWith(claimMount + "/") && stateDir.length() > claimMount.length() + 1,
                "state directory " + stateDir + " inside the claim mounted at " + claimMount);
        JsonNode pdb = DeploymentFiles.manifest("PodDisruptionBudget", "stream-forecaster");
        assertTrue(matches(pdb.path("spec").path("selector").path("matchLabels"), podLabels));
        // pods not ready because Kafka is down must not keep a node from draining
        assertEquals("AlwaysAllow", pdb.path("spec").path("unhealthyPodEvictionPolicy").asText());
        // the service ends its own stop within STOP_LIMIT; the kubelet kills it after the grace period
        assertTrue(sts.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong()
                > io.streamforecaster.stream.ServiceBeans.STOP_LIMIT.toSeconds());
        // instances spread over nodes, so that one node's loss does not take every member of the group at once
        JsonNode spread = sts.path("spec").path("template").path("spec").path("topologySpreadConstraints");
        assertTrue(spread.isArray() && spread.size() > 0 && spread.get(0).path("topologyKey").asText().equals("kubernetes.io/hostname")
                && matches(spread.get(0).path("labelSelector").path("matchLabels"), podLabels), spread.toString());
        JsonNode policy = DeploymentFiles.manifest("NetworkPolicy", "stream-forecaster");
        assertTrue(matches(policy.path("spec").path("podSelector").path("matchLabels"), podLabels));
    }

    /**
     * What {@code kubectl kustomize} checks, without kubectl: every resource, generator file and
     * patch target of the overlay and the base exists; the overlay's image and config map refer to
     * the base's. (With kubectl on the path, the overlay is rendered by it too.)
     */
    @Test
    void theOverlayRenders() throws Exception {
        for (Path dir : List.of(BASE, OVERLAY)) {
            JsonNode k = DeploymentFiles.yaml(dir.resolve("kustomization.yaml"));
            for (JsonNode r : k.path("resources")) {
                Path p = dir.resolve(r.asText()).normalize();
                assertTrue(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")), dir + ": resource " + r);
            }
            for (JsonNode g : k.path("configMapGenerator")) {
                g.path("envs").forEach(f -> assertTrue(Files.isRegularFile(dir.resolve(f.asText())), "generator file " + f));
                g.path("files").forEach(f -> assertTrue(Files.isRegularFile(dir.resolve(f.asText())), "generator file " + f));
            }
            for (JsonNode p : k.path("patches")) {
                String kind = p.path("target").path("kind").asText();
                String name = p.path("target").path("name").asText();
                DeploymentFiles.manifest(kind, name);
                if (p.has("path")) {
                    JsonNode patch = DeploymentFiles.yaml(dir.resolve(p.path("path").asText()));
                    assertEquals(kind, patch.path("kind").asText());
                    assertEquals(name, patch.path("metadata").path("name").asText());
                    JsonNode c = patch.path("spec").path("template").path("spec").path("containers").get(0);
                    assertEquals(DeploymentFiles.container().path("name").asText(), c.path("name").asText(), "patch merges into the container");
                }
            }
        }
        JsonNode overlay = DeploymentFiles.yaml(OVERLAY.resolve("kustomization.yaml"));
        assertEquals(DeploymentFiles.container().path("image").asText().split(":")[0], overlay.path("images").get(0).path("name").asText());
        JsonNode merged = overlay.path("configMapGenerator").get(0);
        assertEquals("merge", merged.path("behavior").asText());
        assertEquals(DeploymentFiles.container().path("envFrom").get(0).path("configMapRef").path("name").asText(), merged.path("name").asText());

        List<JsonNode> docs = DeploymentFiles.kustomize(OVERLAY);
        if (docs != null) {
            Map<String, JsonNode> byKind = new LinkedHashMap<>();
            for (JsonNode d : docs) {
                byKind.putIfAbsent(d.path("kind").asText(), d);
                if (!d.path("kind").asText().equals("Namespace")) {
                    assertEquals("stream-forecaster", d.path("metadata").path("namespace").asText(), "namespaced: " + d.path("metadata"));
                }
            }
            JsonNode sts = byKind.get("StatefulSet");
            assertEquals(3, sts.path("spec").path("replicas").asInt());
            JsonNode c = sts.path("spec").path("template").path("spec").path("containers").get(0);
            assertEquals("registry.example.com/stream-forecaster:0.1.0", c.path("image").asText());
            assertEquals("4Gi", c.path("resources").path("limits").path("memory").asText());
            assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(), "the patch kept the container's hardening");
            String configMap = c.path("envFrom").get(0).path("configMapRef").path("name").asText();
            assertTrue(docs.stream().anyMatch(d -> d.path("kind").asText().equals("ConfigMap")
                    && d.path("metadata").path("name").asText().equals(configMap)
                    && d.path("data").path("FORECASTER_MODEL_VARIANT").asText().equals("stacked")), "the StatefulSet uses the merged, hashed ConfigMap");
        } else {
            System.err.println("DeploymentFilesTest: kubectl is not on the PATH; the overlay was checked without rendering it");
        }
    }

    /**
     * k8s/components/http-tls puts the HTTP side on TLS as the README's recipe does: its settings are
     * the README's, its patches target the base's objects, and rendered with the example overlay the
     * probes ask over HTTPS, the certificate's files come from the Secret the ServiceMonitor trusts,
     * and Prometheus scrapes over HTTPS checking the management Service's name.
     */
    @Test
    void theHttpTlsComponentPutsTheProbesAndTheScrapeOnHttps() throws Exception {
        JsonNode component = DeploymentFiles.yaml(DeploymentFiles.HTTP_TLS.resolve("kustomization.yaml"));
        assertEquals("Component", component.path("kind").asText());
        String readme = DeploymentFiles.read(ROOT.resolve("README.md"));
        Map<String, String> settings = new LinkedHashMap<>();
        for (JsonNode l : component.path("configMapGenerator").get(0).path("literals")) {
            String kv = l.asText();
            settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            assertTrue(readme.contains(kv.substring(0, kv.indexOf('='))), "the README's TLS recipe names " + kv);
        }
        assertEquals("disabled", settings.get("QUARKUS_HTTP_INSECURE_REQUESTS"), "HTTPS only: instances do not follow redirects");
        String apiPort = DeploymentFiles.container().path("ports").get(0).path("containerPort").asText();
        assertEquals(apiPort, settings.get("QUARKUS_HTTP_SSL_PORT"), "HTTPS on the API's own port, which the Services and application.server name");
        for (JsonNode p : component.path("patches")) {
            DeploymentFiles.manifest(p.path("target").path("kind").asText(), p.path("target").path("name").asText());
        }
        assertTrue(readme.contains("k8s/components/http-tls"), "the README points to the component");

        List<JsonNode> docs = DeploymentFiles.renderedExampleWithHttpTls();
        if (docs == null) {
            System.err.println("DeploymentFilesTest: kubectl is not on the PATH; the HTTP TLS component was checked without rendering it");
            return;
        }
        PodTemplate.Pod pod = PodTemplate.of(docs, "stream-forecaster", 0);
        assertEquals(3, pod.probes().size());
        pod.probes().forEach(probe -> assertEquals("HTTPS", probe.scheme(), probe.kind()));
        JsonNode monitor = PodTemplate.find(docs, "ServiceMonitor", "stream-forecaster").path("spec").path("endpoints").get(0);
        assertEquals("https", monitor.path("scheme").asText());
        String secret = monitor.path("tlsConfig").path("ca").path("secret").path("name").asText();
        String serverName = monitor.path("tlsConfig").path("serverName").asText();
        PodTemplate.find(docs, "Service", serverName); // the name the certificate must carry is the management Service's
        PodTemplate.Mount tls = pod.mounts().stream().filter(m -> secret.equals(m.secret())).findFirst()
                .orElseThrow(() -> new AssertionError("the pod mounts the Secret " + secret + " the ServiceMonitor trusts: " + pod.mounts()));
        assertTrue(tls.readOnly());
        for (String file : List.of("quarkus.tls.key-store.pem.0.cert", "quarkus.tls.key-store.pem.0.key", "QUARKUS_TLS_TRUST_STORE_PEM_CERTS")) {
            assertTrue(pod.env().get(file).startsWith(tls.path() + "/"), file + " is a file of the mounted Secret: " + pod.env().get(file));
        }
        assertEquals(monitor.path("tlsConfig").path("ca").path("secret").path("key").asText(),
                Path.of(pod.env().get("QUARKUS_TLS_TRUST_STORE_PEM_CERTS")).getFileName().toString(), "the CA Prometheus trusts is the instances' own");
        assertTrue(pod.env().containsKey("QUARKUS_TLS_RELOAD_PERIOD"), "a certificate renewed in place is served without a restart");
        for (JsonNode d : docs) {
            if (d.path("kind").asText().equals("Service")) {
                d.path("spec").path("ports").forEach(p -> assertEquals("https", p.path("appProtocol").asText(),
                        d.path("metadata").path("name").asText() + " port " + p.path("name").asText() + ": a mesh must not take it for plain HTTP"));
            }
        }
    }

    @Test
    void composeRunsKafkaTheServiceTheReplayPrometheusAndGrafana() {
        JsonNode services = DeploymentFiles.yaml(DOCKER.resolve("compose.yaml")).path("services");
        for (String s : List.of("kafka", "forecaster", "replay", "prometheus", "grafana")) {
            assertTrue(services.has(s), "compose service " + s);
        }
        assertTrue(services.path("kafka").path("image").asText().startsWith("apache/kafka:"));
        assertTrue(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft");
        String dockerfile = DeploymentFiles.read(DOCKER.resolve("Dockerfile"));
        for (String s : List.of("forecaster", "replay")) {
            JsonNode build = services.path(s).path("build");
            assertTrue(Files.isRegularFile(DOCKER.resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText())), s);
            assertTrue(dockerfile.contains(" AS " + build.path("target").asText() + "\n"), s + " builds stage " + build.path("target"));
        }
        for (String s : List.of("prometheus", "grafana")) {
            for (JsonNode v : services.path(s).path("volumes")) {
                Path host = DOCKER.resolve(v.asText().split(":")[0]).normalize();
                assertTrue(Files.exists(host), s + " mounts " + host);
            }
        }
        assertTrue(services.path("forecaster").path("read_only").asBoolean());
        assertEquals("ALL", services.path("forecaster").path("cap_drop").get(0).asText());
        JsonNode cmd = services.path("replay").path("command");
        List<String> args = new ArrayList<>();
        cmd.forEach(a -> args.add(a.asText()));
        assertTrue(args.contains("--generate") && args.contains("--bootstrap-servers"), "replay feeds demo data: " + args);
    }

    /** The service's settings from environment variables, read and checked as the service does at startup. */
    static StreamSettings settingsFrom(Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                // Quarkus reads durations such as 60s and sizes such as 64M with its own converters
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withMapping(ForecasterConfig.class)
                .build();
        return StreamSettings.from(config.getConfigMapping(ForecasterConfig.class));
    }

    @Test
    void theDockerfilesDefaultBuildIsTheServiceAndComposeBuildsTheRightTargets() {
        List<DeploymentFiles.Stage> stages = DeploymentFiles.dockerfileStages();
        DeploymentFiles.Stage last = stages.get(stages.size() - 1);
        // docker build without --target (the Dockerfile's own header) builds the last stage
        assertEquals("[\"/entrypoint.sh\"]", last.last("ENTRYPOINT"), "the last stage is the service: " + last.name());
        assertTrue(DeploymentFiles.read(DOCKER.resolve("Dockerfile")).contains("docker build -f docker/Dockerfile -t stream-forecaster ."));
        JsonNode services = DeploymentFiles.yaml(DOCKER.resolve("compose.yaml")).path("services");
        assertEquals(last.name(), services.path("forecaster").path("build").path("target").asText());
        DeploymentFiles.Stage tools = DeploymentFiles.stage(services.path("replay").path("build").path("target").asText());
        assertTrue(tools.last("ENTRYPOINT").contains("io.streamforecaster.tools.Replay"), "replay builds the replay tool: " + tools);
        // the base images are build arguments whose defaults are the public images
        Map<String, String> args = new LinkedHashMap<>();
        Matcher arg = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$").matcher(DeploymentFiles.read(DOCKER.resolve("Dockerfile")));
        while (arg.find()) {
            args.put(arg.group(1), arg.group(2));
        }
        Set<String> bases = new HashSet<>();
        for (DeploymentFiles.Stage st : stages) {
            if (st.from().startsWith("${")) {
                String name = st.from().substring(2, st.from().length() - 1);
                assertTrue(args.containsKey(name), "FROM " + st.from() + " is an ARG with a default");
                assertFalse(args.get(name).startsWith("localhost/"), "the default is a public image: " + args.get(name));
                bases.add(name);
            } else {
                assertTrue(stages.stream().anyMatch(o -> o.name().equals(st.from())), "FROM " + st.from() + " is an earlier stage");
            }
        }
        assertEquals(Set.of("BUILD_IMAGE", "RUNTIME_IMAGE"), bases);
    }

    /**
     * docker/compose.yaml against the service and the Dockerfile: every port, environment variable,
     * volume and command argument of its services is one the service, the image or the tools take,
     * with values the service accepts and addresses that reach the other services.
     */
    @Test
    void composesServicesAgreeWithTheServiceAndTheImage() throws IOException {
        JsonNode compose = DeploymentFiles.yaml(DOCKER.resolve("compose.yaml"));
        JsonNode services = compose.path("services");
        JsonNode forecaster = services.path("forecaster");
        DeploymentFiles.Stage image = DeploymentFiles.stage(forecaster.path("build").path("target").asText());
        int port = httpPort();

        // Kafka: the address it advertises is the one the others use
        JsonNode kafka = services.path("kafka");
        String listener = null;
        for (String l : kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
            if (l.startsWith("PLAINTEXT://")) {
                listener = l.substring("PLAINTEXT://".length());
            }
        }
        assertNotNull(listener, "a PLAINTEXT listener");
        assertEquals(listener.split(":")[0], kafka.path("hostname").asText("kafka"), "the listener is the kafka service's name");

        // the service: its settings are valid and reach Kafka; application.server is its own name on the network
        Map<String, String> env = new LinkedHashMap<>();
        forecaster.path("environment").fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
        StreamSettings settings = settingsFrom(env);
        assertEquals(listener, env.get("QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS"));
        assertEquals(forecaster.path("hostname").asText("forecaster"), env.get("FORECASTER_HOST"));
        Set<String> containerPorts = new TreeSet<>();
        for (JsonNode p : forecaster.path("ports")) {
            containerPorts.add(p.asText().substring(p.asText().lastIndexOf(':') + 1));
        }
        Set<String> servicePorts = new TreeSet<>(Set.of(String.valueOf(port), String.valueOf(managementPort())));
        assertEquals(servicePorts, containerPorts, "compose publishes the API and the management port");
        assertEquals(servicePorts, new TreeSet<>(List.of(image.last("EXPOSE").split("\\s+"))));

        // every writable place of the image is a volume or a tmpfs, the state on a named (kept) volume
        Set<String> mounted = new TreeSet<>();
        String stateVolume = null;
        Matcher stateDir = Pattern.compile("FORECASTER_STATE_DIR=(\\S+)").matcher(image.last("ENV"));
        assertTrue(stateDir.find(), "the image sets the state directory");
        for (JsonNode v : forecaster.path("volumes")) {
            String[] parts = v.asText().split(":");
            mounted.add(parts[1]);
            assertTrue(compose.path("volumes").has(parts[0]), "named volume " + parts[0] + " is declared");
            if (parts[1].equals(stateDir.group(1))) {
                stateVolume = parts[0];
            }
        }
        forecaster.path("tmpfs").forEach(t -> mounted.add(t.asText().split(":")[0]));
        // RocksDB and lz4-java extract their native libraries into /tmp and load them from there (Docker's tmpfs is noexec by default)
        assertTrue(forecaster.path("tmpfs").toString().contains("/tmp:exec"), "compose's /tmp allows exec: " + forecaster.path("tmpfs"));
        assertEquals(DeploymentFiles.volumes(image), mounted, "compose mounts exactly the image's VOLUMEs");
        assertNotNull(stateVolume, "the state directory " + stateDir.group(1) + " is on a named volume");

        // restricted as the pod is, with limits for the entrypoint to size the JVM from
        assertTrue(forecaster.path("read_only").asBoolean());
        assertEquals(List.of("ALL"), List.of(forecaster.path("cap_drop").get(0).asText()));
        assertTrue(forecaster.path("security_opt").toString().contains("no-new-privileges:true"));
        assertFalse(forecaster.has("user") || forecaster.has("privileged"), "the image's own non-root user");
        assertTrue(forecaster.has("mem_limit") && forecaster.has("cpus"), "limits the entrypoint sizes the JVM from");
        // time to close Kafka Streams cleanly (its checkpoints), as the StatefulSet gives it
        assertTrue(java.time.Duration.parse("PT" + forecaster.path("stop_grace_period").asText("10s").toUpperCase())
                .compareTo(io.streamforecaster.stream.ServiceBeans.STOP_LIMIT) > 0, "stop_grace_period: " + forecaster.path("stop_grace_period"));

        // the topics made before the service starts are the ones it uses; the replay writes to its input
        Matcher loop = Pattern.compile("for t in ([^;]+);").matcher(services.path("topics").path("command").get(0).asText());
        assertTrue(loop.find());
        assertEquals(Set.of(settings.inputTopic(), settings.outputTopic(), settings.deadLetterTopic()),
                Set.of(loop.group(1).strip().split("\\s+")));
        assertTrue(services.path("topics").path("command").get(0).asText().contains("--bootstrap-server " + listener));
        List<String> replay = new ArrayList<>();
        services.path("replay").path("command").forEach(a -> replay.add(a.asText()));
        assertEquals(listener, replay.get(replay.indexOf("--bootstrap-servers") + 1));
        assertEquals(settings.inputTopic(), replay.get(replay.indexOf("--topic") + 1));

        // Prometheus scrapes the service's port and path; Grafana reads Prometheus where it listens
        JsonNode prometheus = services.path("prometheus");
        String prometheusPort = prometheus.path("ports").get(0).asText().split(":")[1];
        JsonNode datasource = DeploymentFiles.yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml")).path("datasources").get(0);
        assertEquals("http://prometheus:" + prometheusPort, datasource.path("url").asText());
    }

    /** Runs docker/entrypoint.sh with a stand-in {@code java} that prints what it was given. */
    static String entrypoint(Map<String, String> env) throws Exception {
        Path bin = Files.createTempDirectory("fake-java");
        Path java = bin.resolve("java");
        // the environment as java got it from the exec (/proc: not what this sh chose to import of it)
        Files.writeString(java, "#!/bin/sh\necho \"OMP_NUM_THREADS=$OMP_NUM_THREADS\"\necho \"FORECASTER_MEMORY_ROCKSDB=${FORECASTER_MEMORY_ROCKSDB:-}\"\n"
                + "tr '\\0' '\\n' < /proc/$$/environ | sed 's/^/env: /'\n"
                + "for a in \"$@\"; do echo \"$a\"; done\n");
        java.toFile().setExecutable(true);
        // run as the image runs it: by the interpreter its first line names
        Path script = DOCKER.resolve("entrypoint.sh");
        String shebang = Files.readAllLines(script).get(0);
        assertTrue(shebang.startsWith("#!/"), shebang);
        ProcessBuilder pb = new ProcessBuilder(shebang.substring(2).trim(), script.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("OMP_NUM_THREADS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("FORECASTER_MEMORY_ROCKSDB");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void theEntrypointSizesTheJvmAndOpenMpFromTheLimitsKubernetesGivesIt() throws Exception {
        long limit = 3L << 30; // the StatefulSet's 3Gi
        String out = entrypoint(Map.of("MEMORY_LIMIT_BYTES", Long.toString(limit), "CPU_LIMIT", "2"));
        List<String> args = List.of(out.split("\n"));
        assertTrue(args.contains("OMP_NUM_THREADS=2"), out);
        assertTrue(args.contains("-XX:ActiveProcessorCount=2"), out);
        assertTrue(args.contains("-Xmx" + limit / 100 * 40), "heap 40 % of the limit: " + out);
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxbytes=" + limit / 100 * 25), "ND4J off-heap 25 %: " + out);
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + limit / 100 * 85), "all native memory below 85 %: " + out);
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp"), out);
        assertTrue(args.contains("FORECASTER_MEMORY_ROCKSDB=" + limit / 100 * DeploymentFiles.documentedSizing().rocksdbPercent()),
                "RocksDB, every store together, as the README says: " + out);
        assertEquals("/app/quarkus-run.jar", args.get(args.size() - 1), out);
        // Quarkus reads a TLS key pair only under its dotted name (README, the HTTP side): the entrypoint passes it on
        String dotted = entrypoint(Map.of("quarkus.tls.key-store.pem.0.cert", "/etc/forecaster/tls/tls.crt"));
        assertTrue(dotted.contains("env: quarkus.tls.key-store.pem.0.cert=/etc/forecaster/tls/tls.crt"),
                "a variable named with dots reaches java: " + dotted);

        String own = entrypoint(Map.of("MEMORY_LIMIT_BYTES", Long.toString(limit), "CPU_LIMIT", "4", "OMP_NUM_THREADS", "1",
                "HEAP_PERCENT", "50", "JAVA_OPTS", "-Dx=y"));
        assertTrue(own.contains("OMP_NUM_THREADS=1") && own.contains("-Xmx" + limit / 100 * 50) && own.contains("-Dx=y"),
                "a user's settings win: " + own);
        // the StatefulSet hands the entrypoint exactly these limits
        JsonNode env = DeploymentFiles.container().path("env");
        Set<String> fromResources = new HashSet<>();
        env.forEach(e -> {
            if (e.path("valueFrom").has("resourceFieldRef")) {
                fromResources.add(e.path("name").asText() + "=" + e.path("valueFrom").path("resourceFieldRef").path("resource").asText());
            }
        });
        assertEquals(Set.of("MEMORY_LIMIT_BYTES=limits.memory", "CPU_LIMIT=limits.cpu"), fromResources);
    }

    static boolean matches(JsonNode selector, JsonNode labels) {
        var it = selector.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (!f.getValue().asText().equals(labels.path(f.getKey()).asText())) {
                return false;
            }
        }
        return true;
    }

    static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
