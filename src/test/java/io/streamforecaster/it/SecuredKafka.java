package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;

import io.streamforecaster.kafka.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) in its own JVM, started from
 * Kafka's Maven artifacts, secured as production clusters are: a SASL_SSL listener (SCRAM-SHA-512
 * and PLAIN) and an SSL listener that requires client certificates, TLS between broker and
 * controller too, {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}. Its
 * certificate authority and certificates are made at start ({@link TestPki}); the test itself
 * administers it as the super user {@code CN=admin} over mutual TLS.
 */
public final class SecuredKafka implements AutoCloseable {

    public static final String PLAIN_USER = "forecaster-plain";

    private final Path dir;
    private final Process process;
    private final TestPki pki;
    private final TestPki.Issued admin;
    private final int saslPort;
    private final int mtlsPort;
    private final String plainPassword;

    private SecuredKafka(Path dir, Process process, TestPki pki, TestPki.Issued admin, int saslPort, int mtlsPort, String plainPassword) {
        this.dir = dir;
        this.process = process;
        this.pki = pki;
        this.admin = admin;
        this.saslPort = saslPort;
        this.mtlsPort = mtlsPort;
        this.plainPassword = plainPassword;
    }

    /** Makes the certificates, formats the broker's storage under {@code dir}, starts it and waits until it answers. */
    public static SecuredKafka start(Path dir, Path log) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "forecaster-test-ca");
        TestPki.Issued broker = pki.issue("broker", "localhost");
        TestPki.Issued admin = pki.issue("admin");
        int controllerPort = freePort();
        int saslPort = freePort();
        int mtlsPort = freePort();
        String plainPassword = TestPki.password();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "CONTROLLER://localhost:" + controllerPort + ",SASL://localhost:" + saslPort + ",MTLS://localhost:" + mtlsPort);
        p.put("advertised.listeners", "SASL://localhost:" + saslPort + ",MTLS://localhost:" + mtlsPort);
        p.put("listener.security.protocol.map", "CONTROLLER:SSL,SASL:SASL_SSL,MTLS:SSL");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "MTLS");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", broker.keystoreP12().toString());
        p.put("ssl.keystore.password", broker.password());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", pki.caPem().toString());
        p.put("ssl.client.auth", "required");
        p.put("listener.name.sasl.ssl.client.auth", "none");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("listener.name.sasl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + PLAIN_USER + "=\"" + plainPassword + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:CN=broker;User:CN=admin");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "2");
        Path config = dir.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "secured test broker");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        // the authorizer's denials, so that a test's failure shows which permission was missing
        Files.writeString(log.toAbsolutePath().getParent().resolve("secured-broker-logging.properties"), String.join("\n",
                "loggers=kafka.authorizer.logger", "logger.level=WARN", "logger.handlers=CONSOLE", "logger.kafka.authorizer.logger.level=INFO",
                "handler.CONSOLE=org.jboss.logmanager.handlers.ConsoleHandler", "handler.CONSOLE.formatter=PATTERN",
                "formatters=PATTERN", "formatter.PATTERN=org.jboss.logmanager.formatters.PatternFormatter",
                "formatter.PATTERN.properties=pattern", "formatter.PATTERN.pattern=%d{HH:mm:ss,SSS} %-5p [%c] %s%e%n", ""));
        Process format = java(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()), log);
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IOException("formatting the secured broker's storage failed; see " + log);
        }
        Process process = java(List.of("kafka.Kafka", config.toString()), log);
        SecuredKafka kafka = new SecuredKafka(dir, process, pki, admin, saslPort, mtlsPort, plainPassword);
        try {
            await().alias("secured broker answers over mutual TLS").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the secured broker exited; see " + log);
                        }
                        try (Admin a = kafka.admin()) {
                            return !a.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                        }
                    });
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    private static Process java(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dlogging.configuration=file:" + log.toAbsolutePath().getParent().resolve("secured-broker-logging.properties"),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static int freePort() throws IOException {
        return io.streamforecaster.tools.ServiceProcess.freePort();
    }

    public TestPki pki() {
        return pki;
    }

    public String saslBootstrap() {
        return "localhost:" + saslPort;
    }

    public String mtlsBootstrap() {
        return "localhost:" + mtlsPort;
    }

    public String plainPassword() {
        return plainPassword;
    }

    /** Client settings of the super user {@code CN=admin} over mutual TLS. */
    public Map<String, Object> adminClientSettings() {
        return Map.of("bootstrap.servers", mtlsBootstrap(), "security.protocol", "SSL",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", pki.caPem().toString(),
                "ssl.keystore.type", "PKCS12", "ssl.keystore.location", admin.keystoreP12().toString(),
                "ssl.keystore.password", admin.password());
    }

    public Admin admin() {
        return Admin.create(adminClientSettings());
    }

    public void createTopics(Map<String, Integer> partitions) throws ExecutionException, InterruptedException {
        try (Admin a = admin()) {
            a.createTopics(partitions.entrySet().stream().map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList()).all().get();
        }
    }

    public void scramUser(String name, String password) throws ExecutionException, InterruptedException {
        try (Admin a = admin()) {
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get();
        }
    }

    public void grant(Collection<AclBinding> acls) throws ExecutionException, InterruptedException {
        try (Admin a = admin()) {
            a.createAcls(acls).all().get();
        }
    }

    public void revoke(Collection<AclBinding> acls) throws ExecutionException, InterruptedException {
        try (Admin a = admin()) {
            a.deleteAcls(acls.stream().map(AclBinding::toFilter).toList()).all().get();
        }
    }

    public Collection<AclBinding> acls() throws ExecutionException, InterruptedException {
        try (Admin a = admin()) {
            return a.describeAcls(AclBindingFilter.ANY).values().get();
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
