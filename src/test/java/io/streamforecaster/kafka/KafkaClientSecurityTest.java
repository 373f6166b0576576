package io.streamforecaster.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSecurityTest {

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued client;

    @BeforeAll
    static void certificates() {
        pki = TestPki.create(dir.resolve("pki"), "unit-test-ca");
        client = pki.issue("forecaster-client");
    }

    static Map<String, String> resolve(Map<String, String> settings) {
        return KafkaClientSecurity.clientProperties(n -> settings.containsKey(n) ? new KafkaClientSecurity.Setting(settings.get(n), "EnvConfigSource") : null);
    }

    static String message(Map<String, String> settings) {
        return assertThrows(IllegalArgumentException.class, () -> resolve(settings)).getMessage();
    }

    /** What Kafka's own JAAS parser reads from the line. */
    static AppConfigurationEntry[] jaas(String line) {
        return JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(line))).configurationEntries().toArray(AppConfigurationEntry[]::new);
    }

    static Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void plaintextNeedsNothingAndSetsNothing() {
        assertTrue(resolve(Map.of()).isEmpty());
        assertTrue(resolve(Map.of(KafkaClientSecurity.PROTOCOL, "plaintext")).isEmpty());
    }

    @Test
    void scramOverTlsReadsThePasswordFileAndThePemTrustStore() throws Exception {
        Path password = file("scram-password", "s3cret \"quoted\" back\\slash ${not.an.expression}\n");
        Map<String, String> p = resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "forecaster",
                KafkaClientSecurity.PASSWORD + "-file", password.toString(), KafkaClientSecurity.TRUSTSTORE, pki.caPem().toString()));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
        assertEquals("PEM", p.get("ssl.truststore.type"));
        assertEquals(pki.caPem().toString(), p.get("ssl.truststore.location"));
        // Kafka's own JAAS parser reads back exactly the user name and the password (without the file's newline)
        var entries = jaas(p.get("sasl.jaas.config"));
        assertEquals("forecaster", entries[0].getOptions().get("username"));
        assertEquals("s3cret \"quoted\" back\\slash ${not.an.expression}", entries[0].getOptions().get("password"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule", entries[0].getLoginModuleName());
    }

    @Test
    void plainMechanismUsesThePlainLoginModuleAndAPasswordFromTheEnvironment() {
        Map<String, String> p = resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.MECHANISM, "PLAIN",
                KafkaClientSecurity.USERNAME, "u", KafkaClientSecurity.PASSWORD, "from-env"));
        assertTrue(p.get("sasl.jaas.config").startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required"));
        assertFalse(p.containsKey("ssl.truststore.location"), "no trust store: the JVM's certificate authorities");
    }

    @Test
    void mutualTlsTakesAPkcs12KeyStoreOrAPemCertificateAndKey() throws Exception {
        Path pw = file("p12-password", client.password());
        Map<String, String> p12 = resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, client.truststoreP12().toString(), KafkaClientSecurity.TRUSTSTORE_PASSWORD + "-file", pw.toString(),
                KafkaClientSecurity.KEYSTORE, client.keystoreP12().toString(), KafkaClientSecurity.KEYSTORE_PASSWORD + "-file", pw.toString()));
        assertEquals("PKCS12", p12.get("ssl.keystore.type"));
        assertEquals("PKCS12", p12.get("ssl.truststore.type"));
        assertEquals(client.password(), p12.get("ssl.keystore.password"));

        Map<String, String> pem = resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.TRUSTSTORE, pki.caPem().toString(),
                KafkaClientSecurity.CERTIFICATE_FILE, client.certificatePem().toString(), KafkaClientSecurity.KEY_FILE, client.keyPem().toString()));
        assertEquals("PEM", pem.get("ssl.keystore.type"));
        assertTrue(pem.get("ssl.keystore.key").startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(pem.get("ssl.keystore.certificate.chain").startsWith("-----BEGIN CERTIFICATE-----"));

        Map<String, String> combined = resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.KEYSTORE, client.combinedPem().toString()));
        assertEquals("PEM", combined.get("ssl.keystore.type"));
    }

    @Test
    void aWrongSettingIsRefusedWithItsName() throws Exception {
        assertTrue(message(Map.of(KafkaClientSecurity.PROTOCOL, "TLS")).contains(KafkaClientSecurity.PROTOCOL));
        assertTrue(message(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.PASSWORD, "x")).contains(KafkaClientSecurity.USERNAME));
        assertTrue(message(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "u")).contains(KafkaClientSecurity.PASSWORD + "-file"));
        assertTrue(message(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "u", KafkaClientSecurity.MECHANISM, "GSSAPI",
                KafkaClientSecurity.PASSWORD, "x")).contains(KafkaClientSecurity.MECHANISM));
        String missing = message(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "u",
                KafkaClientSecurity.PASSWORD + "-file", "/nonexistent/password"));
        assertTrue(missing.contains(KafkaClientSecurity.PASSWORD + "-file") && missing.contains("/nonexistent/password"), missing);
        String wrong = message(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.KEYSTORE, client.keystoreP12().toString(),
                KafkaClientSecurity.KEYSTORE_PASSWORD, "not-the-password"));
        assertTrue(wrong.contains(KafkaClientSecurity.KEYSTORE) && wrong.contains("wrong password"), wrong);
        Path rsa = file("pkcs1.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        String pkcs1 = message(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.CERTIFICATE_FILE, client.certificatePem().toString(),
                KafkaClientSecurity.KEY_FILE, rsa.toString()));
        assertTrue(pkcs1.contains("PKCS#8") && pkcs1.contains(KafkaClientSecurity.KEY_FILE), pkcs1);
        assertTrue(message(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.CERTIFICATE_FILE, client.certificatePem().toString()))
                .contains(KafkaClientSecurity.KEY_FILE));
        assertTrue(message(Map.of(KafkaClientSecurity.TRUSTSTORE, pki.caPem().toString())).contains("not used"), "a trust store on plaintext is a mistake");
    }

    /**
     * Two settings Kafka would refuse, or take, with no word of ours: a key store password for a PEM
     * key store (Kafka: "SSL key store password cannot be specified with PEM format"), and a PKCS12
     * trust store opened without its password, which reads as empty (every handshake then fails).
     */
    @Test
    void aPemKeyStorePasswordAndAnUnreadableTrustStoreAreRefusedAtStartup() throws Exception {
        String pem = message(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.KEYSTORE, client.combinedPem().toString(),
                KafkaClientSecurity.KEYSTORE_PASSWORD, "x"));
        assertTrue(pem.contains(KafkaClientSecurity.KEYSTORE_PASSWORD) && pem.contains(KafkaClientSecurity.KEY_PASSWORD), pem);
        String empty = message(Map.of(KafkaClientSecurity.PROTOCOL, "SSL", KafkaClientSecurity.TRUSTSTORE, client.truststoreP12().toString()));
        assertTrue(empty.contains(KafkaClientSecurity.TRUSTSTORE) && empty.contains(KafkaClientSecurity.TRUSTSTORE_PASSWORD + "-file"), empty);
        // with its password it holds the CA
        Path pw = file("truststore-password", client.password());
        assertEquals(client.truststoreP12().toString(), resolve(Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, client.truststoreP12().toString(), KafkaClientSecurity.TRUSTSTORE_PASSWORD + "-file", pw.toString()))
                .get("ssl.truststore.location"));
    }

    @Test
    void aPasswordOnTheCommandLineIsRefused() {
        String m = assertThrows(IllegalArgumentException.class, () -> KafkaClientSecurity.clientProperties(n -> switch (n) {
            case KafkaClientSecurity.PROTOCOL -> new KafkaClientSecurity.Setting("SASL_SSL", "EnvConfigSource");
            case KafkaClientSecurity.USERNAME -> new KafkaClientSecurity.Setting("u", "EnvConfigSource");
            case KafkaClientSecurity.PASSWORD -> new KafkaClientSecurity.Setting("p", "SysPropConfigSource");
            default -> null;
        })).getMessage();
        assertTrue(m.contains("command line") && m.contains("FORECASTER_KAFKA_SASL_PASSWORD"), m);
    }

    /** The legacy JAAS line holds the password: on the command line (-D) it is as readable as a password there. */
    @Test
    void aLegacyJaasLineOnTheCommandLineIsRefused() {
        String m = assertThrows(IllegalArgumentException.class, () -> KafkaClientSecurity.clientProperties(n -> switch (n) {
            case KafkaClientSecurity.LEGACY_PROTOCOL -> new KafkaClientSecurity.Setting("SASL_SSL", "EnvConfigSource");
            case KafkaClientSecurity.LEGACY_JAAS -> new KafkaClientSecurity.Setting(
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";", "SysPropConfigSource");
            default -> null;
        })).getMessage();
        assertTrue(m.contains("command line") && m.contains("KAFKA_SASL_JAAS_CONFIG"), m);
    }

    @Test
    void theLegacyEnvironmentVariablesStillWork() {
        Map<String, String> p = resolve(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertTrue(p.get("sasl.jaas.config").contains("username=\"a\""));
    }

    /** Through MicroProfile Config as the service reads it: a password holding "${" is not taken for an expression. */
    @Test
    void theConfigSourceHandsKafkaStreamsTheSameValues() throws Exception {
        Path password = file("expr-password", "a$b${c}d$$e");
        Map<String, String> settings = new HashMap<>(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL", KafkaClientSecurity.USERNAME, "forecaster",
                KafkaClientSecurity.PASSWORD + "-file", password.toString(), KafkaClientSecurity.TRUSTSTORE, pki.caPem().toString()));
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors() // expressions are expanded, as in Quarkus
                .withSources(new PropertiesConfigSource(settings, "test", 100))
                .withSources(new KafkaSecurityConfigSourceFactory())
                .build();
        String jaas = config.getValue("kafka-streams.sasl.jaas.config", String.class);
        var entries = jaas(jaas);
        assertEquals("a$b${c}d$$e", entries[0].getOptions().get("password"));
        assertEquals("SASL_SSL", config.getValue("kafka-streams.security.protocol", String.class));
        assertTrue(java.util.stream.StreamSupport.stream(config.getPropertyNames().spliterator(), false).anyMatch("kafka-streams.ssl.truststore.location"::equals),
                "listed, so Quarkus passes it on");
    }
}
