package io.streamforecaster.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs this service needs, and no more, for its topics, application id and processing
 * guarantee: the README's list, the Strimzi overlay's KafkaUser and the secured-cluster test all
 * follow from here (and the tests hold them to it).
 */
public final class RequiredAcls {

    /**
     * One grant: these operations on a resource.
     *
     * @param why what the service does with it, for the README and for error messages
     */
    public record Acl(ResourceType resource, PatternType pattern, String name, Set<AclOperation> operations, String why) {

        /** The grants for {@code principal}, one binding per operation as Kafka stores them. */
        public List<AclBinding> bindings(String principal) {
            return operations.stream().sorted()
                    .map(op -> new AclBinding(new ResourcePattern(resource, name, pattern),
                            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)))
                    .toList();
        }
    }

    private RequiredAcls() {
    }

    /**
     * @param applicationId {@code quarkus.kafka-streams.application-id}: its consumer group, and the prefix of its internal topics and transactional ids
     * @param anomalies {@code forecaster.topics.anomalies}; null when unset (no anomaly records are sent)
     * @param exactlyOnce whether {@code processing.guarantee} is {@code exactly_once_v2}
     */
    public static List<Acl> of(String applicationId, String input, String output, String deadLetter, String anomalies, boolean exactlyOnce) {
        List<Acl> acls = new ArrayList<>();
        acls.add(new Acl(ResourceType.TOPIC, PatternType.LITERAL, input, Set.of(AclOperation.READ), "read the observations"));
        acls.add(new Acl(ResourceType.TOPIC, PatternType.LITERAL, output, Set.of(AclOperation.WRITE), "write the forecasts"));
        acls.add(new Acl(ResourceType.TOPIC, PatternType.LITERAL, deadLetter, Set.of(AclOperation.WRITE), "write the dead letters"));
        if (anomalies != null) {
            acls.add(new Acl(ResourceType.TOPIC, PatternType.LITERAL, anomalies, Set.of(AclOperation.WRITE), "write the anomalies"));
        }
        acls.add(new Acl(ResourceType.TOPIC, PatternType.PREFIXED, applicationId + "-",
                Set.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS),
                "create, restore from and write the state stores' changelog topics"));
        acls.add(new Acl(ResourceType.GROUP, PatternType.PREFIXED, applicationId, Set.of(AclOperation.READ),
                "join the application's consumer group and commit its offsets"));
        if (exactlyOnce) {
            acls.add(new Acl(ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, applicationId + "-", Set.of(AclOperation.WRITE),
                    "exactly_once_v2: one transactional producer per stream thread"));
        }
        return acls;
    }
}
