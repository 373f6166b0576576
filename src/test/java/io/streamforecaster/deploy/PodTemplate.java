package io.streamforecaster.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The StatefulSet's pod template, translated field by field into a {@code podman run}, so that the
 * image test runs the container as Kubernetes would and a change to the StatefulSet changes the
 * test. A field this translation does not know fails it, rather than being dropped quietly.
 *
 * <p>What cannot be the same outside Kubernetes, and what is done instead: the pod runs on the
 * host's network (the test's broker listens on loopback), so its port is published by moving the
 * service to a free port; a PersistentVolumeClaim is a named podman volume, an {@code emptyDir} an
 * anonymous one (its size limit is not enforced); a Secret the pod references optionally and that
 * is not rendered is absent, as in a cluster without it.
 */
final class PodTemplate {

    /** The pod spec's fields the translation knows; {@code topologySpreadConstraints} is the scheduler's alone, nothing for one container to do. */
    static final Set<String> POD_FIELDS = Set.of("serviceAccountName", "automountServiceAccountToken",
            "terminationGracePeriodSeconds", "securityContext", "containers", "volumes", "topologySpreadConstraints");
    static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "imagePullPolicy", "ports", "env", "envFrom",
            "resources", "startupProbe", "livenessProbe", "readinessProbe", "securityContext", "volumeMounts");
    static final Set<String> POD_SECURITY_FIELDS = Set.of("runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup",
            "fsGroupChangePolicy", "supplementalGroups", "seccompProfile");
    static final Set<String> CONTAINER_SECURITY_FIELDS = Set.of("allowPrivilegeEscalation", "readOnlyRootFilesystem",
            "runAsNonRoot", "runAsUser", "runAsGroup", "privileged", "capabilities", "seccompProfile");
    static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PodTemplate() {
    }

    /**
     * A volume of the pod: a claim of the StatefulSet's volumeClaimTemplates, an emptyDir, or an
     * optional Secret (projected), which is absent here and so, as Kubernetes mounts it, an empty
     * directory; or a required Secret ({@code secret} names it), whose files the test hands in
     * ({@code files}, see {@link Pod#withSecret}); {@code readOnly} as the mount says.
     */
    record Mount(String volume, String path, boolean claim, boolean memory, boolean readOnly, boolean absentSecret,
                 String secret, Path files) {
    }

    /** An HTTP probe: its kind (startupProbe...), path, the container port it targets and its scheme (HTTP or HTTPS). */
    record Probe(String kind, String path, int containerPort, String scheme) {
    }

    /** The security settings in force for the container (its own over the pod's). */
    record Security(Long uid, Long gid, List<Long> groups, boolean runAsNonRoot, boolean readOnlyRoot,
                    boolean allowPrivilegeEscalation, boolean privileged, List<String> capDrop, List<String> capAdd,
                    String seccomp) {
    }

    /**
     * One pod of the StatefulSet, resolved.
     *
     * @param env             the container's environment as Kubernetes computes it (envFrom, then env, references expanded)
     * @param fromResources   the names in {@code env} that carry the container's limits (downward API)
     * @param memoryLimit     bytes, or null without a limit
     * @param cpuLimit        CPUs, or null without a limit
     */
    record Pod(String name, String namespace, String image, Security security, Map<String, String> env, Set<String> fromResources,
               Long memoryLimit, BigDecimal cpuLimit, List<Mount> mounts, Map<String, Integer> ports, List<Probe> probes,
               Integer terminationGraceSeconds) {

        /**
         * The same pod under other limits and without the limits handed in as environment variables,
         * as {@code docker run --memory --cpus} or compose start it: the entrypoint then reads the cgroup.
         */
        Pod withCgroupLimitsOnly(long memory, BigDecimal cpus) {
            Map<String, String> e = new LinkedHashMap<>(env);
            fromResources.forEach(e::remove);
            return new Pod(name, namespace, image, security, e, Set.of(), memory, cpus, mounts, ports, probes, terminationGraceSeconds);
        }

        /** The same pod with the files of the Secret {@code secret} (as Kubernetes would project them) in {@code dir}. */
        Pod withSecret(String secret, Path dir) {
            if (mounts.stream().noneMatch(m -> secret.equals(m.secret()))) {
                throw new AssertionError("the pod mounts no Secret " + secret);
            }
            List<Mount> m = mounts.stream().map(x -> secret.equals(x.secret())
                    ? new Mount(x.volume(), x.path(), false, false, x.readOnly(), false, secret, dir) : x).toList();
            return new Pod(name, namespace, image, security, env, fromResources, memoryLimit, cpuLimit, m, ports, probes,
                    terminationGraceSeconds);
        }

        /**
         * The {@code podman run} arguments (after {@code run}) for this pod.
         *
         * @param container   the container's name
         * @param image       the image to run instead of the template's
         * @param volumePrefix prefixed to the claims' volume names (claim-pod, as a StatefulSet names its PVCs)
         * @param extraEnv    set after the pod's own, winning over it (the test's broker, topics and port)
         */
        List<String> runArgs(String container, String image, String volumePrefix, Map<String, String> extraEnv) {
            List<String> a = new ArrayList<>(List.of("--detach", "--name", container, "--hostname", name, "--network", "host",
                    // Kubernetes ignores an image's VOLUMEs: what the pod does not mount is read-only like the rest
                    "--image-volume", "ignore"));
            if (security.uid() != null) {
                a.add("--user");
                a.add(security.uid() + (security.gid() != null ? ":" + security.gid() : ""));
            }
            for (Long g : security.groups()) {
                a.add("--group-add");
                a.add(Long.toString(g));
            }
            if (security.readOnlyRoot()) {
                // podman would otherwise mount tmpfs on /tmp, /var/tmp and /run, which Kubernetes does not
                a.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
            }
            if (!security.allowPrivilegeEscalation()) {
                a.addAll(List.of("--security-opt", "no-new-privileges"));
            }
            if (security.privileged()) {
                a.add("--privileged");
            }
            security.capDrop().forEach(c -> a.addAll(List.of("--cap-drop", c)));
            security.capAdd().forEach(c -> a.addAll(List.of("--cap-add", c)));
            switch (security.seccomp()) {
                case "RuntimeDefault" -> { } // podman's default profile
                case "Unconfined" -> a.addAll(List.of("--security-opt", "seccomp=unconfined"));
                default -> throw new AssertionError("seccompProfile " + security.seccomp() + " is not translated");
            }
            if (memoryLimit != null) {
                a.addAll(List.of("--memory", Long.toString(memoryLimit), "--memory-swap", Long.toString(memoryLimit)));
            }
            if (cpuLimit != null) {
                a.addAll(List.of("--cpus", cpuLimit.toPlainString()));
            }
            if (terminationGraceSeconds != null) {
                a.addAll(List.of("--stop-timeout", Integer.toString(terminationGraceSeconds)));
            }
            for (Mount m : mounts) {
                String ro = m.readOnly() ? ",ro=true" : "";
                if (m.secret() != null) {
                    if (m.files() == null) {
                        throw new AssertionError("the pod needs the Secret " + m.secret() + " at " + m.path() + ": hand its files in (withSecret)");
                    }
                    a.addAll(List.of("--mount", "type=bind,source=" + m.files().toAbsolutePath() + ",destination=" + m.path() + ro));
                } else if (m.claim()) {
                    a.addAll(List.of("--mount", "type=volume,source=" + volumePrefix + m.volume() + "-" + name + ",destination=" + m.path() + ro));
                } else if (m.memory() || m.absentSecret()) {
                    a.addAll(List.of("--mount", "type=tmpfs,destination=" + m.path() + ro));
                } else {
                    a.addAll(List.of("--mount", "type=volume,destination=" + m.path() + ro));
                }
            }
            Map<String, String> all = new LinkedHashMap<>(env);
            // a null value leaves the template's variable out
            extraEnv.forEach((k, v) -> {
                if (v == null) {
                    all.remove(k);
                } else {
                    all.put(k, v);
                }
            });
            all.forEach((k, v) -> a.addAll(List.of("--env", k + "=" + v)));
            a.add(image);
            return a;
        }
    }

    /**
     * Ordinal {@code ordinal} of the StatefulSet {@code name} in rendered manifests.
     *
     * @param docs every object {@code kubectl kustomize} rendered (ConfigMaps included)
     */
    static Pod of(List<JsonNode> docs, String name, int ordinal) {
        JsonNode sts = find(docs, "StatefulSet", name);
        String namespace = sts.path("metadata").path("namespace").asText("default");
        String podName = name + "-" + ordinal;
        JsonNode spec = sts.path("spec").path("template").path("spec");
        known(spec, POD_FIELDS, "pod spec");
        JsonNode containers = spec.path("containers");
        if (containers.size() != 1) {
            throw new AssertionError("the translation runs one container; the pod has " + containers.size());
        }
        JsonNode c = containers.get(0);
        known(c, CONTAINER_FIELDS, "container " + c.path("name").asText());

        JsonNode limits = c.path("resources").path("limits");
        Long memory = limits.has("memory") ? quantity(limits.path("memory").asText()).longValueExact() : null;
        BigDecimal cpu = limits.has("cpu") ? quantity(limits.path("cpu").asText()) : null;

        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : c.path("envFrom")) {
            String prefix = from.path("prefix").asText("");
            if (from.has("configMapRef")) {
                JsonNode ref = from.path("configMapRef");
                JsonNode cm = findOrNull(docs, "ConfigMap", ref.path("name").asText());
                if (cm == null && !ref.path("optional").asBoolean(false)) {
                    throw new AssertionError("ConfigMap " + ref.path("name").asText() + " is not rendered");
                }
                if (cm != null) {
                    cm.path("data").fields().forEachRemaining(f -> env.put(prefix + f.getKey(), f.getValue().asText()));
                }
            } else if (from.has("secretRef")) {
                JsonNode ref = from.path("secretRef");
                if (findOrNull(docs, "Secret", ref.path("name").asText()) != null || !ref.path("optional").asBoolean(false)) {
                    throw new AssertionError("Secret " + ref.path("name").asText() + " in envFrom is not translated");
                }
            } else {
                throw new AssertionError("envFrom " + from + " is not translated");
            }
        }
        Set<String> fromResources = new LinkedHashSet<>();
        for (JsonNode e : c.path("env")) {
            String var = e.path("name").asText();
            if (e.has("value")) {
                env.put(var, expand(e.path("value").asText(), env));
            } else if (e.path("valueFrom").has("fieldRef")) {
                String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                env.put(var, switch (field) {
                    case "metadata.name" -> podName;
                    case "metadata.namespace" -> namespace;
                    default -> throw new AssertionError("fieldRef " + field + " is not translated");
                });
            } else if (e.path("valueFrom").has("resourceFieldRef")) {
                JsonNode ref = e.path("valueFrom").path("resourceFieldRef");
                String resource = ref.path("resource").asText();
                BigDecimal divisor = quantity(ref.path("divisor").asText("1"));
                BigDecimal value = switch (resource) {
                    case "limits.memory" -> memory == null ? null : BigDecimal.valueOf(memory);
                    case "limits.cpu" -> cpu;
                    default -> throw new AssertionError("resourceFieldRef " + resource + " is not translated");
                };
                if (value == null) {
                    throw new AssertionError(var + " reads " + resource + ", which the container does not set (Kubernetes would give the node's capacity)");
                }
                // Kubernetes rounds up to a whole number of divisors
                env.put(var, value.divide(divisor, 0, RoundingMode.CEILING).toPlainString());
                fromResources.add(var);
            } else {
                throw new AssertionError("env " + var + " is not translated: " + e);
            }
        }

        JsonNode podSecurity = spec.path("securityContext");
        JsonNode own = c.path("securityContext");
        known(podSecurity, POD_SECURITY_FIELDS, "pod securityContext");
        known(own, CONTAINER_SECURITY_FIELDS, "container securityContext");
        known(own.path("capabilities"), Set.of("drop", "add"), "capabilities");
        List<Long> groups = new ArrayList<>();
        if (podSecurity.has("fsGroup")) {
            groups.add(podSecurity.path("fsGroup").asLong());
        }
        podSecurity.path("supplementalGroups").forEach(g -> groups.add(g.asLong()));
        List<String> drop = new ArrayList<>();
        own.path("capabilities").path("drop").forEach(x -> drop.add(x.asText()));
        List<String> add = new ArrayList<>();
        own.path("capabilities").path("add").forEach(x -> add.add(x.asText()));
        Security security = new Security(
                longOf(own, podSecurity, "runAsUser"), longOf(own, podSecurity, "runAsGroup"), groups,
                own.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false)),
                own.path("readOnlyRootFilesystem").asBoolean(false),
                own.path("allowPrivilegeEscalation").asBoolean(true),
                own.path("privileged").asBoolean(false), drop, add,
                own.path("seccompProfile").path("type").asText(podSecurity.path("seccompProfile").path("type").asText("RuntimeDefault")));

        Set<String> claims = new LinkedHashSet<>();
        sts.path("spec").path("volumeClaimTemplates").forEach(t -> claims.add(t.path("metadata").path("name").asText()));
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        spec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode m : c.path("volumeMounts")) {
            known(m, Set.of("name", "mountPath", "readOnly"), "volumeMount");
            String v = m.path("name").asText();
            String path = m.path("mountPath").asText();
            boolean ro = m.path("readOnly").asBoolean(false);
            if (claims.contains(v)) {
                mounts.add(new Mount(v, path, true, false, ro, false, null, null));
            } else if (volumes.containsKey(v) && volumes.get(v).has("emptyDir")) {
                mounts.add(new Mount(v, path, false, "Memory".equals(volumes.get(v).path("emptyDir").path("medium").asText()), ro, false,
                        null, null));
            } else if (volumes.containsKey(v) && optionalSecrets(volumes.get(v))) {
                mounts.add(new Mount(v, path, false, false, ro, true, null, null));
            } else if (volumes.containsKey(v) && volumes.get(v).has("secret") && !volumes.get(v).path("secret").has("items")) {
                mounts.add(new Mount(v, path, false, false, ro, false, volumes.get(v).path("secret").path("secretName").asText(), null));
            } else {
                throw new AssertionError("volume " + v + " is neither a claim, an emptyDir, an optional Secret nor a whole Secret: not translated");
            }
        }

        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode p : c.path("ports")) {
            ports.put(p.path("name").asText(String.valueOf(p.path("containerPort").asInt())), p.path("containerPort").asInt());
        }
        List<Probe> probes = new ArrayList<>();
        for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            if (!c.has(kind)) {
                continue;
            }
            JsonNode get = c.path(kind).path("httpGet");
            if (get.isMissingNode()) {
                throw new AssertionError(kind + " is not an httpGet probe: not translated");
            }
            JsonNode port = get.path("port");
            Integer number = port.isInt() ? Integer.valueOf(port.asInt()) : ports.get(port.asText());
            if (number == null) {
                throw new AssertionError(kind + " targets port " + port + ", which the container does not name");
            }
            probes.add(new Probe(kind, get.path("path").asText(), number, get.path("scheme").asText("HTTP")));
        }
        Integer grace = spec.has("terminationGracePeriodSeconds") ? spec.path("terminationGracePeriodSeconds").asInt() : null;
        return new Pod(podName, namespace, c.path("image").asText(), security, env, fromResources, memory, cpu, mounts, ports,
                probes, grace);
    }

    /** A Kubernetes quantity ({@code 3Gi}, {@code 500m}, {@code 2}) as a number. */
    static BigDecimal quantity(String q) {
        Matcher m = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)([a-zA-Z]*)$").matcher(q.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Kubernetes quantity: " + q);
        }
        BigDecimal n = new BigDecimal(m.group(1));
        BigDecimal factor = switch (m.group(2)) {
            case "" -> BigDecimal.ONE;
            case "m" -> new BigDecimal("0.001");
            case "k" -> BigDecimal.valueOf(1_000L);
            case "M" -> BigDecimal.valueOf(1_000_000L);
            case "G" -> BigDecimal.valueOf(1_000_000_000L);
            case "T" -> BigDecimal.valueOf(1_000_000_000_000L);
            case "Ki" -> BigDecimal.valueOf(1L << 10);
            case "Mi" -> BigDecimal.valueOf(1L << 20);
            case "Gi" -> BigDecimal.valueOf(1L << 30);
            case "Ti" -> BigDecimal.valueOf(1L << 40);
            default -> throw new IllegalArgumentException("unknown quantity suffix in " + q);
        };
        BigDecimal value = n.multiply(factor).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /** Kubernetes' $(VAR) expansion: variables defined before; unknown references stay as written. */
    static String expand(String value, Map<String, String> defined) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = defined.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Long longOf(JsonNode own, JsonNode pod, String field) {
        JsonNode v = own.has(field) ? own.get(field) : pod.get(field);
        return v == null ? null : v.asLong();
    }

    /** A Secret volume, or a projected one of Secrets only, every one of them optional (absent in the test). */
    private static boolean optionalSecrets(JsonNode volume) {
        if (volume.has("secret")) {
            return volume.path("secret").path("optional").asBoolean(false);
        }
        JsonNode sources = volume.path("projected").path("sources");
        if (!sources.isArray() || sources.isEmpty()) {
            return false;
        }
        for (JsonNode source : sources) {
            if (!source.has("secret") || !source.path("secret").path("optional").asBoolean(false)) {
                return false;
            }
        }
        return true;
    }

    private static void known(JsonNode node, Set<String> fields, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new AssertionError(where + " has " + f + ", which the image test does not translate into podman run yet");
            }
        }
    }

    static JsonNode find(List<JsonNode> docs, String kind, String name) {
        JsonNode d = findOrNull(docs, kind, name);
        if (d == null) {
            throw new AssertionError("no " + kind + " " + name + " in the rendered manifests");
        }
        return d;
    }

    private static JsonNode findOrNull(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElse(null);
    }
}
