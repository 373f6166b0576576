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
    static final Path DASHBOARD = BASE.resolve("grafana/stream-forecaster.json");
    static final Path PROMETHEUS = DOCKER.resolve("prometheus/prometheus.yml");
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

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
