package io.streamforecaster.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The ACLs the README lists, those of the Strimzi overlay's KafkaUser and {@link RequiredAcls} (which
 * the secured-cluster test grants, and no more) are the same.
 */
class RequiredAclsTest {

    static final Path ROOT = Path.of("").toAbsolutePath();

    /** A grant as text: "TOPIC LITERAL forecaster-input [READ]". */
    static String text(ResourceType r, PatternType p, String name, Set<AclOperation> ops) {
        return r + " " + p + " " + name + " " + new TreeSet<>(ops);
    }

    static Set<String> expected(boolean exactlyOnce) {
        return expected(exactlyOnce, null);
    }

    static Set<String> expected(boolean exactlyOnce, String anomalies) {
        Set<String> out = new TreeSet<>();
        for (RequiredAcls.Acl a : RequiredAcls.of("stream-forecaster", "forecaster-input", "forecaster-predictions", "forecaster-dlq", anomalies,
                exactlyOnce)) {
            out.add(text(a.resource(), a.pattern(), a.name(), a.operations()));
        }
        return out;
    }

    /** The rows of the README's ACL table: | resource | pattern | name | operations | when | why |. */
    static List<String[]> readmeRows() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("### ACLs");
        assertTrue(start > 0, "README has a section ### ACLs");
        List<String[]> rows = new ArrayList<>();
        for (String line : readme.substring(start).split("\n")) {
            if (line.startsWith("## ") || (line.startsWith("### ") && !rows.isEmpty() && !line.startsWith("### ACLs"))) {
                break;
            }
            if (line.startsWith("| ") && !line.startsWith("| resource") && !line.startsWith("|---")) {
                String[] cells = line.substring(1, line.length() - 1).split("\\|");
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim().replace("`", "");
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    static Set<String> readme(boolean exactlyOnce) throws Exception {
        return readme(exactlyOnce, false);
    }

    static Set<String> readme(boolean exactlyOnce, boolean anomalies) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String[] c : readmeRows()) {
            if (c[4].contains("exactly_once_v2") && !exactlyOnce || c[4].contains("forecaster.topics.anomalies") && !anomalies) {
                continue;
            }
            Set<AclOperation> ops = new TreeSet<>();
            for (String op : c[3].split(",")) {
                ops.add(AclOperation.fromString(op.trim().replaceAll("([a-z])([A-Z])", "$1_$2")));
            }
            String name = c[2].split(" ")[0];
            out.add(text(ResourceType.fromString(c[0].replace(' ', '_')), PatternType.fromString(c[1].toUpperCase(Locale.ROOT)), name, ops));
        }
        return out;
    }

    @Test
    void theReadmeListsExactlyTheAclsTheServiceNeeds() throws Exception {
        assertEquals(expected(false), readme(false));
        assertEquals(expected(true), readme(true));
    }

    /** An anomalies topic is written to, so its Write is needed (and checked) once it is set; it is not without it. */
    @Test
    void theAnomaliesTopicNeedsWriteWhenItIsSet() throws Exception {
        assertEquals(expected(false, "forecaster-anomalies"), readme(false, true));
        assertEquals(expected(true, "forecaster-anomalies"), readme(true, true));
        assertTrue(expected(false, "forecaster-anomalies").contains("TOPIC LITERAL forecaster-anomalies [WRITE]"));
        assertEquals(expected(false).size() + 1, expected(false, "forecaster-anomalies").size());
    }

    @Test
    void theStrimziKafkaUserHoldsExactlyTheReadmesAcls() throws Exception {
        JsonNode user = new YAMLMapper().readTree(ROOT.resolve("k8s/overlays/strimzi/kafkauser.yaml").toFile());
        assertEquals("KafkaUser", user.path("kind").asText());
        assertEquals("simple", user.path("spec").path("authorization").path("type").asText());
        Set<String> strimzi = new TreeSet<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            Set<AclOperation> ops = new TreeSet<>();
            acl.path("operations").forEach(o -> ops.add(AclOperation.fromString(o.asText().replaceAll("([a-z])([A-Z])", "$1_$2"))));
            PatternType pattern = r.path("patternType").asText().equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL;
            strimzi.add(text(ResourceType.fromString(r.path("type").asText().toUpperCase(Locale.ROOT).replace("TRANSACTIONALID", "TRANSACTIONAL_ID")),
                    pattern, r.path("name").asText(), ops));
        }
        assertEquals(readme(false), strimzi, "the overlay runs the default at_least_once guarantee");
    }

    @Test
    void theStrimziOverlayRendersWithKubectlAndMakesTheThreeTopics() throws Exception {
        Path kubectl = null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, "kubectl"))) {
                kubectl = Path.of(d, "kubectl");
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl != null, "kubectl is not on the PATH: the Strimzi overlay is not rendered");
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", ROOT.resolve("k8s/overlays/strimzi").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        Set<String> topics = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^kind: KafkaTopic\\n(?:.*\\n)*?  name: (\\S+)").matcher(out);
        while (m.find()) {
            topics.add(m.group(1));
        }
        assertEquals(Set.of("forecaster-input", "forecaster-predictions", "forecaster-dlq"), topics);
        assertTrue(out.contains("kind: KafkaUser"), out);
        assertTrue(out.contains("FORECASTER_KAFKA_SASL_PASSWORD_FILE: /etc/forecaster/kafka/password"), "the KafkaUser's password as a file");
        assertTrue(out.contains("name: my-cluster-cluster-ca-cert"), "the cluster CA mounted");
    }
}
