package io.streamforecaster.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns the {@code forecaster.kafka.*} settings into the Kafka client properties every client of
 * the service is created with (Kafka Streams' consumers, producers and admin client, Quarkus' admin
 * client that waits for the input topic, the dead-letter safety-net producer, the access check).
 * Secrets are read from files or environment variables here, checked before any client exists, and
 * refused when given on the command line, where every user of the machine reads them in {@code ps}.
 */
public final class KafkaClientSecurity {

    public static final String PREFIX = "forecaster.kafka.";
    public static final String PROTOCOL = PREFIX + "security-protocol";
    public static final String MECHANISM = PREFIX + "sasl.mechanism";
    public static final String USERNAME = PREFIX + "sasl.username";
    public static final String PASSWORD = PREFIX + "sasl.password";
    public static final String TRUSTSTORE = PREFIX + "ssl.truststore.location";
    public static final String TRUSTSTORE_TYPE = PREFIX + "ssl.truststore.type";
    public static final String TRUSTSTORE_PASSWORD = PREFIX + "ssl.truststore.password";
    public static final String KEYSTORE = PREFIX + "ssl.keystore.location";
    public static final String KEYSTORE_TYPE = PREFIX + "ssl.keystore.type";
    public static final String KEYSTORE_PASSWORD = PREFIX + "ssl.keystore.password";
    public static final String CERTIFICATE_FILE = PREFIX + "ssl.keystore.certificate-file";
    public static final String KEY_FILE = PREFIX + "ssl.keystore.key-file";
    public static final String KEY_PASSWORD = PREFIX + "ssl.key.password";
    /** Suffix of the setting that names a file holding a secret instead of the secret itself. */
    public static final String FILE = "-file";

    /** The environment variables of earlier builds, still read when the settings above are absent. */
    public static final String LEGACY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL";
    public static final String LEGACY_MECHANISM = "KAFKA_SASL_MECHANISM";
    public static final String LEGACY_JAAS = "KAFKA_SASL_JAAS_CONFIG";

    static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT");
    static final Map<String, String> LOGIN_MODULES = Map.of(
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

    /**
     * A configured value and the name of the configuration source it came from (MicroProfile
     * Config's, e.g. {@code SysPropConfigSource} for {@code -D} options).
     */
    public record Setting(String value, String source) {

        boolean fromCommandLine() {
            return source != null && source.startsWith("SysPropConfigSource");
        }
    }

    private final Function<String, Setting> settings;
    private final Map<String, String> out = new LinkedHashMap<>();

    private KafkaClientSecurity(Function<String, Setting> settings) {
        this.settings = settings;
    }

    /**
     * The Kafka client properties (unprefixed: {@code security.protocol}, {@code sasl.jaas.config},
     * {@code ssl.truststore.location}, ...) for these settings; empty for a plaintext cluster.
     *
     * @param settings a setting's value and source by name, null when unset
     * @throws IllegalArgumentException naming the setting when one is wrong, missing, unreadable or given on the command line
     */
    public static Map<String, String> clientProperties(Function<String, Setting> settings) {
        KafkaClientSecurity s = new KafkaClientSecurity(settings);
        s.resolve();
        return s.out;
    }

    private void resolve() {
        String protocol = value(PROTOCOL, LEGACY_PROTOCOL, "PLAINTEXT").toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("Invalid " + PROTOCOL + " = " + protocol + ": must be one of PLAINTEXT, SSL, SASL_SSL, SASL_PLAINTEXT");
        }
        if (protocol.equals("PLAINTEXT")) {
            refuseWithout(protocol, USERNAME, TRUSTSTORE, KEYSTORE, CERTIFICATE_FILE);
            return;
        }
        out.put("security.protocol", protocol);
        if (protocol.startsWith("SASL_")) {
            sasl();
        } else {
            refuseWithout(protocol, USERNAME);
        }
        if (protocol.endsWith("SSL")) {
            truststore();
            keystore();
        } else {
            refuseWithout(protocol, TRUSTSTORE, KEYSTORE, CERTIFICATE_FILE);
        }
    }

    private void sasl() {
        String mechanism = value(MECHANISM, LEGACY_MECHANISM, "SCRAM-SHA-512").toUpperCase(Locale.ROOT);
        String username = value(USERNAME, null, null);
        Setting legacyJaas = settings.apply(LEGACY_JAAS);
        if (username == null && legacyJaas != null && !legacyJaas.value().isBlank()) {
            // the JAAS line of earlier builds, from the environment (the Secret stream-forecaster-kafka)
            if (legacyJaas.fromCommandLine()) { // it holds the password, as a -D anyone on the machine can read
                throw new IllegalArgumentException(LEGACY_JAAS + " was given on the command line, where any user of the machine can read it: "
                        + "give it as the environment variable " + LEGACY_JAAS + ", or the password in a file (" + PASSWORD + FILE + ")");
            }
            out.put("sasl.mechanism", mechanism);
            out.put("sasl.jaas.config", legacyJaas.value());
            return;
        }
        String module = LOGIN_MODULES.get(mechanism);
        if (module == null) {
            throw new IllegalArgumentException("Invalid " + MECHANISM + " = " + mechanism + ": must be SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN");
        }
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException(USERNAME + " is required with " + PROTOCOL + " = SASL_*");
        }
        String password = secret(PASSWORD, true);
        out.put("sasl.mechanism", mechanism);
        out.put("sasl.jaas.config", module + " required username=\"" + jaasQuote(username) + "\" password=\"" + jaasQuote(password) + "\";");
    }

    private void truststore() {
        String location = value(TRUSTSTORE, null, null);
        if (location == null) {
            refuseWithout("no " + TRUSTSTORE, TRUSTSTORE_PASSWORD, TRUSTSTORE_PASSWORD + FILE);
            return; // the JVM's own certificate authorities
        }
        byte[] content = read(TRUSTSTORE, location);
        String type = type(TRUSTSTORE_TYPE, content);
        String password = secret(TRUSTSTORE_PASSWORD, false);
        if (type.equals("PEM")) {
            if (password != null) {
                throw new IllegalArgumentException(TRUSTSTORE_PASSWORD + " must not be set for a PEM trust store (" + location + ")");
            }
            certificates(TRUSTSTORE, location, content);
        } else {
            if (entries(keyStore(TRUSTSTORE, location, type, content, password)) == 0) {
                // a PKCS12 store opened without its password skips its encrypted certificates: it loads empty
                throw new IllegalArgumentException(TRUSTSTORE + " = " + location + " holds no certificate that could be read"
                        + (password == null ? ": set " + TRUSTSTORE_PASSWORD + FILE + " (its certificates are encrypted)" : ""));
            }
        }
        out.put("ssl.truststore.type", type);
        out.put("ssl.truststore.location", location);
        if (password != null) {
            out.put("ssl.truststore.password", password);
        }
    }

    private void keystore() {
        String location = value(KEYSTORE, null, null);
        String certificateFile = value(CERTIFICATE_FILE, null, null);
        String keyFile = value(KEY_FILE, null, null);
        if (location != null && (certificateFile != null || keyFile != null)) {
            throw new IllegalArgumentException("Set either " + KEYSTORE + " or " + CERTIFICATE_FILE + " with " + KEY_FILE + ", not both");
        }
        if ((certificateFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(CERTIFICATE_FILE + " and " + KEY_FILE + " go together (a PEM certificate chain and its PKCS#8 key)");
        }
        String keyPassword = secret(KEY_PASSWORD, false);
        if (location != null) {
            byte[] content = read(KEYSTORE, location);
            String type = type(KEYSTORE_TYPE, content);
            String password = secret(KEYSTORE_PASSWORD, false);
            if (type.equals("PEM")) {
                if (password != null) { // Kafka refuses it with a message that names no setting of ours
                    throw new IllegalArgumentException(KEYSTORE_PASSWORD + " must not be set for a PEM key store (" + location
                            + "): an encrypted key's password is " + KEY_PASSWORD + FILE);
                }
                privateKey(KEYSTORE, location, new String(content, StandardCharsets.US_ASCII), keyPassword);
                certificates(KEYSTORE, location, content);
            } else {
                if (password == null) {
                    throw new IllegalArgumentException(KEYSTORE_PASSWORD + " (or " + KEYSTORE_PASSWORD + FILE + ") is required for the " + type + " key store " + location);
                }
                keyStore(KEYSTORE, location, type, content, password);
            }
            out.put("ssl.keystore.type", type);
            out.put("ssl.keystore.location", location);
            if (password != null) {
                out.put("ssl.keystore.password", password);
            }
        } else if (certificateFile != null) {
            byte[] chain = read(CERTIFICATE_FILE, certificateFile);
            certificates(CERTIFICATE_FILE, certificateFile, chain);
            String key = new String(read(KEY_FILE, keyFile), StandardCharsets.US_ASCII);
            privateKey(KEY_FILE, keyFile, key, keyPassword);
            out.put("ssl.keystore.type", "PEM");
            out.put("ssl.keystore.certificate.chain", new String(chain, StandardCharsets.US_ASCII).trim());
            out.put("ssl.keystore.key", key.trim());
        } else {
            // no client certificate: SASL authenticates, or the broker's TLS listener does not ask for one
            refuseWithout("no client certificate", KEY_PASSWORD, KEY_PASSWORD + FILE, KEYSTORE_PASSWORD, KEYSTORE_PASSWORD + FILE);
            return;
        }
        if (keyPassword != null) {
            out.put("ssl.key.password", keyPassword);
        }
    }

    /** A setting's value, else the legacy environment variable's, else the default. */
    private String value(String name, String legacy, String defaultValue) {
        Setting s = settings.apply(name);
        if (s == null && legacy != null) {
            s = settings.apply(legacy);
        }
        return s == null || s.value() == null || s.value().isBlank() ? defaultValue : s.value().trim();
    }

    /**
     * A secret from the file {@code name-file} or from {@code name} itself, which must then come
     * from the environment (or a file-based configuration source), never from {@code -D}.
     */
    private String secret(String name, boolean required) {
        String secret = readSecret(name, required);
        if (secret != null && secret.contains("\\$")) {
            throw new IllegalArgumentException(name + " holds a backslash before a '$', which the configuration cannot pass on unchanged; change that secret");
        }
        return secret;
    }

    private String readSecret(String name, boolean required) {
        Setting file = settings.apply(name + FILE);
        Setting direct = settings.apply(name);
        if (file != null && direct != null) {
            throw new IllegalArgumentException("Set either " + name + FILE + " or " + name + ", not both");
        }
        if (direct != null) {
            if (direct.fromCommandLine()) {
                throw new IllegalArgumentException(name + " was given on the command line, where any user of the machine can read it: "
                        + "give it in a file (" + name + FILE + ") or as the environment variable " + envName(name));
            }
            return direct.value();
        }
        if (file != null) {
            String text = new String(read(name + FILE, file.value().trim()), StandardCharsets.UTF_8);
            // a Secret written with echo ends in a newline that is not part of the password
            return text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        }
        if (required) {
            throw new IllegalArgumentException(name + FILE + " (or the environment variable " + envName(name) + ") is required");
        }
        return null;
    }

    /** Settings that make no sense in this setup are refused rather than silently ignored. */
    private void refuseWithout(String setup, String... names) {
        for (String n : names) {
            if (settings.apply(n) != null) {
                throw new IllegalArgumentException(n + " is set but not used with " + (setup.startsWith("no ") ? setup : PROTOCOL + " = " + setup));
            }
        }
    }

    private static byte[] read(String setting, String location) {
        try {
            return Files.readAllBytes(Path.of(location));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + setting + " = " + location + ": " + e, e);
        }
    }

    /** PEM when the file says so; otherwise what the setting names, PKCS12 by default. */
    private String type(String setting, byte[] content) {
        String configured = value(setting, null, null);
        if (configured != null) {
            String t = configured.toUpperCase(Locale.ROOT);
            if (!Set.of("PEM", "PKCS12", "JKS").contains(t)) {
                throw new IllegalArgumentException("Invalid " + setting + " = " + configured + ": must be PEM, PKCS12 or JKS");
            }
            return t;
        }
        return new String(content, 0, Math.min(content.length, 64), StandardCharsets.US_ASCII).strip().startsWith("-----BEGIN") ? "PEM" : "PKCS12";
    }

    private static void certificates(String setting, String location, byte[] pem) {
        // only the certificate blocks: a combined key store file holds the private key too
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----")
                .matcher(new String(pem, StandardCharsets.US_ASCII));
        StringBuilder blocks = new StringBuilder();
        while (m.find()) {
            blocks.append(m.group()).append('\n');
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(setting + " = " + location + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try (InputStream in = new java.io.ByteArrayInputStream(blocks.toString().getBytes(StandardCharsets.US_ASCII))) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalArgumentException(setting + " = " + location + " holds no PEM certificate");
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(setting + " = " + location + " is not a readable PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** Kafka reads PKCS#8 keys only; an RSA ("BEGIN RSA PRIVATE KEY") or EC key file would fail later, less clearly. */
    private static void privateKey(String setting, String location, String pem, String keyPassword) {
        boolean plain = pem.contains("-----BEGIN PRIVATE KEY-----");
        boolean encrypted = pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        if (!plain && !encrypted) {
            throw new IllegalArgumentException(setting + " = " + location + " holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        if (encrypted && keyPassword == null) {
            throw new IllegalArgumentException(setting + " = " + location + " holds an encrypted key: set " + KEY_PASSWORD + FILE);
        }
        if (plain && keyPassword != null) {
            throw new IllegalArgumentException(KEY_PASSWORD + " is set but the key in " + location + " is not encrypted");
        }
    }

    /** Opens the store now, so that a wrong password is a startup error naming the setting, not a failed TLS handshake. */
    private static KeyStore keyStore(String setting, String location, String type, byte[] content, String password) {
        try {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(new java.io.ByteArrayInputStream(content), password == null ? null : password.toCharArray());
            return ks;
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " = " + location + " cannot be opened as " + type
                    + " (wrong password, or not a " + type + " file): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + " = " + location + " cannot be opened as " + type + ": " + e.getMessage(), e);
        }
    }

    private static int entries(KeyStore ks) {
        try {
            return ks.size();
        } catch (java.security.KeyStoreException e) {
            throw new IllegalStateException(e); // a loaded store always answers
        }
    }

    /** Inside a JAAS option's double quotes, a backslash and a double quote are escaped. */
    static String jaasQuote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The environment variable MicroProfile Config reads for a property. */
    public static String envName(String property) {
        return property.replaceAll("[^a-zA-Z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
