package io.streamforecaster.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the repository's docker/ and k8s/ files for the tests that cross-check them with the service. */
final class DeploymentFiles {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DOCKER = ROOT.resolve("docker");
    static final Path K8S = ROOT.resolve("k8s");
    static final Path BASE = K8S.resolve("base");
    static final Path OVERLAY = K8S.resolve("overlays/example");
    /** The Kustomize component that puts the HTTP side (both ports) on TLS. */
    static final Path HTTP_TLS = K8S.resolve("components/http-tls");
    static final Path DASHBOARD = BASE.resolve("grafana/stream-forecaster.json");
    static final Path PROMETHEUS = DOCKER.resolve("prometheus/prometheus.yml");
    /** The alerts, as a Prometheus rule file (compose's Prometheus loads it; k8s/base/prometheusrule.yaml holds the same groups). */
    static final Path ALERTS = DOCKER.resolve("prometheus/alerts.yml");
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern METRIC = Pattern.compile("\\b((?:forecaster|jvm|kafka|process|http)_[a-zA-Z0-9_]+)\\b");

    private DeploymentFiles() {
    }

    /** Every document of a YAML file (a file may hold several, separated by ---). */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " holds " + docs.size() + " documents, expected 1");
        }
        return docs.get(0);
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** The base's manifests, with the kustomization's common labels added to their metadata as kustomize does. */
    static List<JsonNode> baseManifests() {
        JsonNode k = yaml(BASE.resolve("kustomization.yaml"));
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            for (JsonNode m : yamlDocuments(BASE.resolve(r.asText()))) {
                ObjectNode meta = (ObjectNode) m.path("metadata");
                ObjectNode labels = meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
                for (JsonNode l : k.path("labels")) {
                    l.path("pairs").fields().forEachRemaining(f -> labels.set(f.getKey(), f.getValue()));
                }
                out.add(m);
            }
        }
        return out;
    }

    static JsonNode manifest(String kind, String name) {
        return baseManifests().stream()
                .filter(m -> m.path("kind").asText().equals(kind) && m.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in k8s/base"));
    }

    /**
     * The manifests {@code kubectl kustomize dir} renders, or null when kubectl is not on the PATH.
     *
     * @throws AssertionError when kubectl fails to render them
     */
    static List<JsonNode> kustomize(Path dir) throws IOException, InterruptedException {
        Path kubectl = DeploymentFilesTest.onPath("kubectl");
        if (kubectl == null) {
            return null;
        }
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("kubectl kustomize " + dir + " failed:\n" + out);
        }
        Path rendered = Files.createTempFile("kustomize", ".yaml");
        try {
            Files.writeString(rendered, out);
            return yamlDocuments(rendered);
        } finally {
            Files.delete(rendered);
        }
    }

    /** What the example overlay renders to, and how it was rendered. */
    record Rendered(List<JsonNode> manifests, String how) {
    }

    /**
     * The example overlay as {@code kubectl kustomize} renders it; without kubectl, the base's
     * manifests with the ConfigMap generated from config.env (the overlay's patches then missing).
     */
    static Rendered renderedExample() throws IOException, InterruptedException {
        List<JsonNode> docs = kustomize(OVERLAY);
        if (docs != null) {
            return new Rendered(docs, "kubectl kustomize k8s/overlays/example");
        }
        List<JsonNode> base = new ArrayList<>(baseManifests());
        JsonNode generator = yaml(BASE.resolve("kustomization.yaml")).path("configMapGenerator").get(0);
        ObjectNode cm = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", generator.path("name").asText());
        ObjectNode data = cm.putObject("data");
        for (JsonNode envFile : generator.path("envs")) {
            for (String line : Files.readAllLines(BASE.resolve(envFile.asText()))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    data.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
                }
            }
        }
        base.add(cm);
        return new Rendered(base, "k8s/base read directly (kubectl is not on the PATH; the example overlay's patches are not applied)");
    }

    /**
     * The example overlay with the HTTP TLS component added, as an operator adds it to an overlay of
     * their own (an overlay in target/ whose resource is the example and whose component is
     * k8s/components/http-tls), rendered by {@code kubectl kustomize}; null without kubectl.
     */
    static List<JsonNode> renderedExampleWithHttpTls() throws IOException, InterruptedException {
        Path dir = ROOT.resolve("target/k8s-example-http-tls");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "resources:\n  - " + dir.relativize(OVERLAY) + "\ncomponents:\n  - " + dir.relativize(HTTP_TLS) + "\n");
        return kustomize(dir);
    }

    static JsonNode container() {
        return manifest("StatefulSet", "stream-forecaster").path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** Every PromQL expression of the dashboard, with {@code $key} replaced by {@code key}. */
    static List<String> dashboardExpressions(String key) {
        List<String> out = new ArrayList<>();
        collectExpressions(json(DASHBOARD), out);
        out.replaceAll(e -> e.replace("$key", key));
        return out;
    }

    private static void collectExpressions(JsonNode node, List<String> out) {
        if (node.isObject()) {
            if (node.has("expr")) {
                out.add(node.get("expr").asText());
            }
            node.forEach(child -> collectExpressions(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collectExpressions(child, out));
        }
    }

    /** Every alert's expression. */
    static List<String> alertExpressions() {
        List<String> out = new ArrayList<>();
        yaml(ALERTS).path("groups").forEach(g -> g.path("rules").forEach(r -> out.add(r.path("expr").asText())));
        return out;
    }

    /** The metrics the alerts read. */
    static Set<String> alertMetrics() {
        Set<String> names = new TreeSet<>();
        for (String e : alertExpressions()) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The metric names the dashboard's expressions and variables use. */
    static Set<String> dashboardMetrics() {
        Set<String> names = new TreeSet<>();
        List<String> texts = new ArrayList<>(dashboardExpressions("k"));
        json(DASHBOARD).path("templating").path("list").forEach(v -> texts.add(v.path("definition").asText()));
        for (String e : texts) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Names of the series a Prometheus text scrape holds (histogram parts included). */
    static Set<String> scrapedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** The samples of a scrape whose metric name starts with {@code prefix} and whose value is NaN or infinite. */
    static List<String> nonFiniteSamples(String scrape, String prefix) {
        List<String> bad = new java.util.ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String value = line.substring(line.lastIndexOf(' ') + 1).trim();
            if (value.equals("NaN") || value.endsWith("Inf")) {
                bad.add(line);
            }
        }
        return bad;
    }

    /** The shipped Prometheus configuration, scraping {@code target} every second instead. */
    static String prometheusConfigFor(String target) {
        ObjectNode config = (ObjectNode) yaml(PROMETHEUS);
        ((ObjectNode) config.path("global")).put("scrape_interval", "1s").put("evaluation_interval", "1s");
        ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
        ((ObjectNode) job.path("static_configs").get(0)).putArray("targets").add(target);
        try {
            return YAML.writeValueAsString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One stage of docker/Dockerfile: its name, its base and its instructions (continuation lines joined). */
    record Stage(String name, String from, List<String> instructions) {

        /** The arguments of the stage's last {@code keyword} instruction, or null. */
        String last(String keyword) {
            String found = null;
            for (String i : instructions) {
                if (i.startsWith(keyword + " ")) {
                    found = i.substring(keyword.length() + 1).strip();
                }
            }
            return found;
        }
    }

    /** The stages of docker/Dockerfile in order; the last is what a build without --target makes. */
    static List<Stage> dockerfileStages() {
        List<Stage> stages = new ArrayList<>();
        String joined = read(DOCKER.resolve("Dockerfile")).replaceAll("\\\\\n", " ");
        Pattern from = Pattern.compile("^FROM (\\S+)(?: AS (\\S+))?$", Pattern.CASE_INSENSITIVE);
        for (String line : joined.split("\n")) {
            String l = line.strip().replaceAll("\\s+", " ");
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher m = from.matcher(l);
            if (m.matches()) {
                stages.add(new Stage(m.group(2) == null ? String.valueOf(stages.size()) : m.group(2), m.group(1), new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(l);
            }
        }
        return stages;
    }

    static Stage stage(String name) {
        return dockerfileStages().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name + " in docker/Dockerfile"));
    }

    /** The paths of a stage's VOLUME instruction. */
    static Set<String> volumes(Stage stage) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(stage.last("VOLUME"));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The shares of the container's limits docker/entrypoint.sh gives the JVM, as the README documents them. */
    record Sizing(int heapPercent, int offheapPercent, int physicalPercent, int rocksdbPercent) {
    }

    /** The README's sizing sentence (Deployment), read so that the image test checks the running JVM against it. */
    static Sizing documentedSizing() {
        String readme = read(ROOT.resolve("README.md")).replaceAll("\\s+", " ");
        Matcher m = Pattern.compile("heap (\\d+) %, ND4J off-heap \\(`org\\.bytedeco\\.javacpp\\.maxbytes`\\) (\\d+) %, "
                + "all native memory below (\\d+) % \\(`maxphysicalbytes`\\), RocksDB (\\d+) % \\(`forecaster\\.memory\\.rocksdb`, every store together\\), "
                + "OpenMP threads and `ActiveProcessorCount` equal to the CPU limit")
                .matcher(readme);
        if (!m.find()) {
            throw new AssertionError("README.md no longer states the entrypoint's sizing in the sentence the image test reads "
                    + "(\"heap N %, ND4J off-heap (`org.bytedeco.javacpp.maxbytes`) N %, all native memory below N % ...\")");
        }
        return new Sizing(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
