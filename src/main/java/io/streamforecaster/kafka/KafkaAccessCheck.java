package io.streamforecaster.kafka;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Asks the brokers, with the service's own credentials, whether it can do all it needs: reach
 * them, log in, and hold each of the {@link RequiredAcls}. Its outcome names what is wrong in words
 * an operator can act on, where Kafka's clients would only repeat "authentication failed" or wait
 * silently for a topic they may not see.
 */
public final class KafkaAccessCheck {

    /** What the check found: {@code OK}, or the first problem. */
    public enum Status { OK, UNREACHABLE, AUTHENTICATION, TLS, AUTHORIZATION, MISSING_TOPIC, FAILED }

    /** @param reason empty when OK */
    public record Outcome(Status status, String reason) {

        public static final Outcome OK = new Outcome(Status.OK, "");

        public boolean ok() {
            return status == Status.OK;
        }
    }

    /**
     * What the service uses: its topics, application id and processing guarantee.
     *
     * @param anomalies null when {@code forecaster.topics.anomalies} is unset
     */
    public record Target(String bootstrap, String applicationId, String input, String output, String deadLetter, String anomalies,
                         boolean exactlyOnce) {

        /** The target of a service with these Kafka Streams settings and topics. */
        static Target of(Map<String, Object> streamsConfig, io.streamforecaster.config.ForecasterConfig.Topics topics) {
            String guarantee = String.valueOf(streamsConfig.getOrDefault(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE));
            return new Target(String.valueOf(streamsConfig.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)),
                    String.valueOf(streamsConfig.get(StreamsConfig.APPLICATION_ID_CONFIG)), topics.input(), topics.output(),
                    topics.deadLetter(), topics.anomalies().orElse(null), guarantee.startsWith("exactly_once"));
        }

        List<RequiredAcls.Acl> acls() {
            return RequiredAcls.of(applicationId, input, output, deadLetter, anomalies, exactlyOnce);
        }
    }

    /** The topic the create permission is tried on (validate only: nothing is created). */
    static final String PROBE = "forecaster-access-check";

    private KafkaAccessCheck() {
    }

    public static Outcome check(Admin admin, Target target, Duration timeout) {
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (RequiredAcls.Acl acl : target.acls()) {
                Outcome o = switch (acl.resource()) {
                    case TOPIC -> acl.pattern() == PatternType.LITERAL ? topic(admin, acl, timeout) : internalTopics(admin, acl, timeout);
                    case GROUP -> group(admin, target.applicationId(), acl, timeout);
                    case TRANSACTIONAL_ID -> transactionalIds(admin, acl, timeout);
                    default -> Outcome.OK;
                };
                if (!o.ok()) {
                    return o;
                }
            }
            return Outcome.OK;
        } catch (TimeoutException e) {
            return new Outcome(Status.UNREACHABLE, "no answer from the Kafka brokers at " + target.bootstrap() + " within " + timeout.toSeconds()
                    + "s: check quarkus.kafka-streams.bootstrap-servers, the network, and that the security protocol matches the listener");
        } catch (ExecutionException e) {
            return failure(e.getCause(), target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Status.FAILED, "interrupted");
        } catch (RuntimeException e) {
            return failure(e, target);
        }
    }

    private static Outcome failure(Throwable e, Target target) {
        if (e instanceof SslAuthenticationException) {
            return new Outcome(Status.TLS, "the TLS handshake with the brokers at " + target.bootstrap() + " failed (" + rootMessage(e)
                    + "): does forecaster.kafka.ssl.truststore.location hold the CA that signed the brokers' certificates, do they name the host "
                    + "they are reached by, and (mTLS) is forecaster.kafka.ssl.keystore.* a certificate the brokers trust?");
        }
        if (e instanceof AuthenticationException) {
            return new Outcome(Status.AUTHENTICATION, "the Kafka brokers at " + target.bootstrap() + " refused this service's credentials (" + rootMessage(e)
                    + "): check forecaster.kafka.sasl.username, its password and forecaster.kafka.sasl.mechanism");
        }
        if (e instanceof AuthorizationException) {
            return new Outcome(Status.AUTHORIZATION, "not authorized: " + e.getMessage() + " (the README's Security section lists the ACLs the service needs)");
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new Outcome(Status.UNREACHABLE, "the Kafka brokers at " + target.bootstrap() + " did not answer in time: " + e.getMessage());
        }
        return new Outcome(Status.FAILED, "checking access to Kafka failed: " + e);
    }

    private static Outcome topic(Admin admin, RequiredAcls.Acl acl, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription d;
        try {
            d = admin.describeTopics(List.of(acl.name()), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(acl.name());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new Outcome(Status.MISSING_TOPIC, "topic " + acl.name() + " does not exist (create it, or allow this service to see it): "
                        + "the service needs to " + acl.why());
            }
            if (e.getCause() instanceof AuthorizationException) {
                return missing(acl, acl.operations());
            }
            throw e;
        }
        return lacking(acl, d.authorizedOperations(), acl.operations());
    }

    /** Changelog topics: creating one is tried (validate only); those that exist must allow the rest. */
    private static Outcome internalTopics(Admin admin, RequiredAcls.Acl acl, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        long ms = timeout.toMillis();
        if (acl.operations().contains(AclOperation.CREATE)) {
            try {
                admin.createTopics(List.of(new NewTopic(acl.name() + PROBE, 1, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                        .all().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    return missing(acl, Set.of(AclOperation.CREATE));
                }
                // any other refusal (a creation policy, the replication factor) is not about this service's rights
            }
        }
        Set<String> existing = admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS).stream()
                .filter(n -> n.startsWith(acl.name())).collect(java.util.stream.Collectors.toSet());
        if (existing.isEmpty()) {
            return Outcome.OK;
        }
        Set<AclOperation> needed = EnumSet.copyOf(acl.operations());
        needed.remove(AclOperation.CREATE);
        Map<String, TopicDescription> descriptions = admin.describeTopics(existing, new DescribeTopicsOptions().includeAuthorizedOperations(true))
                .allTopicNames().get(ms, TimeUnit.MILLISECONDS);
        for (TopicDescription d : descriptions.values()) {
            Outcome o = lacking(acl, d.authorizedOperations(), needed);
            if (!o.ok()) {
                return new Outcome(o.status(), o.reason() + " (topic " + d.name() + ")");
            }
        }
        return Outcome.OK;
    }

    private static Outcome group(Admin admin, String group, RequiredAcls.Acl acl, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            var d = admin.describeConsumerGroups(List.of(group), new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return lacking(acl, d.authorizedOperations(), acl.operations());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return missing(acl, acl.operations());
            }
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Outcome.OK; // allowed to look, nothing there yet: the first start
            }
            throw e;
        }
    }

    private static Outcome transactionalIds(Admin admin, RequiredAcls.Acl acl, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        String probe = acl.name() + PROBE;
        try {
            admin.describeTransactions(List.of(probe)).description(probe).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return missing(acl, acl.operations());
            }
            if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
                throw e;
            }
        }
        return Outcome.OK;
    }

    /** Missing operations among the authorized ones the broker reported (null: it did not say, so nothing is claimed). */
    private static Outcome lacking(RequiredAcls.Acl acl, Set<AclOperation> authorized, Set<AclOperation> needed) {
        if (authorized == null || authorized.contains(AclOperation.ALL)) {
            return Outcome.OK;
        }
        Set<AclOperation> missing = EnumSet.noneOf(AclOperation.class);
        for (AclOperation op : needed) {
            if (!authorized.contains(op)) {
                missing.add(op);
            }
        }
        return missing.isEmpty() ? Outcome.OK : missing(acl, missing);
    }

    private static Outcome missing(RequiredAcls.Acl acl, Set<AclOperation> operations) {
        return new Outcome(Status.AUTHORIZATION, "this service's Kafka principal lacks " + operations.stream().sorted().map(Enum::name).toList()
                + " on " + acl.resource() + " " + (acl.pattern() == PatternType.PREFIXED ? "names starting with '" + acl.name() + "'" : "'" + acl.name() + "'")
                + " (" + acl.pattern() + " ACL), needed to " + acl.why() + "; the README's Security section lists every ACL");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t.getMessage();
    }
}
