package io.streamforecaster.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamforecaster.config.StreamSettings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The translation of the StatefulSet's pod template into {@code podman run} that ImageIT runs. */
class PodTemplateTest {

    static PodTemplate.Pod examplePod() throws Exception {
        return PodTemplate.of(DeploymentFiles.renderedExample().manifests(), "stream-forecaster", 0);
    }

    @Test
    void quantitiesAreReadAsKubernetesDoes() {
        assertEquals(BigDecimal.valueOf(3L << 30), PodTemplate.quantity("3Gi"));
        assertEquals(new BigDecimal("0.5"), PodTemplate.quantity("500m"));
        assertEquals(BigDecimal.valueOf(2), PodTemplate.quantity("2"));
        assertEquals(BigDecimal.valueOf(1_500_000_000L), PodTemplate.quantity("1.5G"));
        assertThrows(IllegalArgumentException.class, () -> PodTemplate.quantity("3 GB"));
    }

    @Test
    void referencesExpandToVariablesDefinedBeforeAndOthersStayAsWritten() {
        assertEquals("p-0.svc.ns", PodTemplate.expand("$(POD).svc.$(NS)", Map.of("POD", "p-0", "NS", "ns")));
        assertEquals("$(LATER)", PodTemplate.expand("$(LATER)", Map.of()));
    }

    @Test
    void theRestrictedSettingsOfTheTemplateBecomeTheRunsFlags() throws Exception {
        PodTemplate.Pod pod = examplePod();
        List<String> args = pod.runArgs("c", "img", "it-", Map.of("EXTRA", "1"));
        JsonNode c = DeploymentFiles.container();
        long uid = DeploymentFiles.manifest("StatefulSet", "stream-forecaster").path("spec").path("template").path("spec")
                .path("securityContext").path("runAsUser").asLong();
        assertTrue(Collections.indexOfSubList(args, List.of("--user", uid + ":" + uid)) >= 0, args.toString());
        assertTrue(Collections.indexOfSubList(args, List.of("--read-only", "--read-only-tmpfs=false")) >= 0, args.toString());
        assertTrue(Collections.indexOfSubList(args, List.of("--cap-drop", "ALL")) >= 0, args.toString());
        assertTrue(Collections.indexOfSubList(args, List.of("--security-opt", "no-new-privileges")) >= 0, args.toString());
        assertFalse(args.contains("--privileged") || args.contains("--cap-add"), args.toString());
        assertEquals(pod.memoryLimit().toString(), args.get(args.indexOf("--memory") + 1));
        assertEquals(pod.cpuLimit().toPlainString(), args.get(args.indexOf("--cpus") + 1));
        // one mount per volumeMount: the claim as a named volume, the emptyDirs anonymous
        List<String> mounts = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--mount")) {
                mounts.add(args.get(i + 1));
            }
        }
        assertEquals(c.path("volumeMounts").size(), mounts.size(), mounts.toString());
        assertTrue(mounts.contains("type=volume,source=it-state-stream-forecaster-0,destination=/var/lib/forecaster"), mounts.toString());
        assertEquals("img", args.get(args.size() - 1));
        assertTrue(args.contains("EXTRA=1"));
    }

    @Test
    void theEnvironmentIsWhatKubernetesWouldComputeForPodZero() throws Exception {
        DeploymentFiles.Rendered rendered = DeploymentFiles.renderedExample();
        PodTemplate.Pod pod = PodTemplate.of(rendered.manifests(), "stream-forecaster", 0);
        Map<String, String> env = pod.env();
        assertEquals("stream-forecaster-0", env.get("POD_NAME"));
        assertEquals("stream-forecaster-0.stream-forecaster-headless." + pod.namespace() + ".svc.cluster.local", env.get("FORECASTER_HOST"));
        assertEquals(pod.memoryLimit().toString(), env.get("MEMORY_LIMIT_BYTES"));
        assertEquals(pod.cpuLimit().setScale(0, java.math.RoundingMode.CEILING).toPlainString(), env.get("CPU_LIMIT"));
        assertEquals(java.util.Set.of("MEMORY_LIMIT_BYTES", "CPU_LIMIT"), pod.fromResources());
        // the config map's settings come in through envFrom
        assertEquals("forecaster-input", env.get("FORECASTER_TOPICS_INPUT"));
        if (rendered.how().startsWith("kubectl")) {
            assertEquals("stacked", env.get("FORECASTER_MODEL_VARIANT"), "the overlay's merged ConfigMap");
            assertEquals(4L << 30, pod.memoryLimit(), "the overlay's resources patch");
        }
        PodTemplate.Pod plain = pod.withCgroupLimitsOnly(2L << 30, BigDecimal.ONE);
        assertFalse(plain.env().containsKey("MEMORY_LIMIT_BYTES") || plain.env().containsKey("CPU_LIMIT"));
        assertEquals(2L << 30, plain.memoryLimit());
        List<String> probes = pod.probes().stream().map(p -> p.kind() + " " + p.path() + " " + p.containerPort()).toList();
        // health is on the management interface (port 9000), apart from the API
        assertEquals(List.of("startupProbe /q/health/started 9000", "livenessProbe /q/health/live 9000",
                "readinessProbe /q/health/ready 9000"), probes);
    }

    @Test
    void theSettingsThePodGetsAreOnesTheServiceAccepts() throws Exception {
        Map<String, String> env = examplePod().env();
        StreamSettings settings = DeploymentFilesTest.settingsFrom(env);
        assertEquals(env.get("FORECASTER_TOPICS_INPUT"), settings.inputTopic());
        assertEquals(Integer.parseInt(env.get("FORECASTER_FORECAST_HORIZON")), settings.serving().horizon());
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("FORECASTER_MODEL_VARIANT", "transformer");
        assertThrows(RuntimeException.class, () -> DeploymentFilesTest.settingsFrom(wrong), "a variant the service does not have");
    }

    @Test
    void aFieldTheTranslationDoesNotKnowFailsIt() throws Exception {
        List<JsonNode> docs = DeploymentFiles.renderedExample().manifests();
        JsonNode sts = PodTemplate.find(docs, "StatefulSet", "stream-forecaster");
        ObjectNode container = (ObjectNode) sts.path("spec").path("template").path("spec").path("containers").get(0);
        container.putArray("args").add("--debug");
        AssertionError e = assertThrows(AssertionError.class, () -> PodTemplate.of(docs, "stream-forecaster", 0));
        assertTrue(e.getMessage().contains("args"), e.getMessage());
        container.remove("args");
        ((ObjectNode) container.path("securityContext").path("capabilities")).putArray("add").add("NET_ADMIN");
        List<String> args = PodTemplate.of(docs, "stream-forecaster", 0).runArgs("c", "img", "", Map.of());
        assertTrue(Collections.indexOfSubList(args, List.of("--cap-add", "NET_ADMIN")) >= 0, "a change to the StatefulSet changes the run");
    }
}
