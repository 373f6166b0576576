package io.streamforecaster.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * How the service authenticates to Kafka ({@code forecaster.kafka.*}). Read by
 * {@link KafkaSecurityConfigSourceFactory} before anything else starts and turned into the Kafka
 * client properties of every client; declared here so that each setting is documented and a
 * misspelt one stops the service. A secret ({@code *.password}) is given either as a file
 * ({@code *.password-file}, e.g. a Kubernetes Secret mounted as files) or as an environment
 * variable ({@code FORECASTER_KAFKA_SASL_PASSWORD}), never as a {@code -D} option.
 */
@ConfigMapping(prefix = "forecaster.kafka")
public interface KafkaSecurityConfig {

    /** {@code PLAINTEXT} (default; also read from {@code KAFKA_SECURITY_PROTOCOL}), {@code SSL}, {@code SASL_SSL} or {@code SASL_PLAINTEXT}. */
    Optional<String> securityProtocol();

    Sasl sasl();

    Ssl ssl();

    /**
     * How often the service checks that it can reach the brokers, log in and do what it needs
     * (the readiness check {@code kafka access} shows the outcome), and how often it retries.
     */
    @WithDefault("30s")
    Duration accessCheckInterval();

    interface Sasl {
        /** {@code SCRAM-SHA-512} (default), {@code SCRAM-SHA-256} or {@code PLAIN}. */
        Optional<String> mechanism();

        /** The SASL user name. */
        Optional<String> username();

        /** The SASL password, from the environment only ({@code FORECASTER_KAFKA_SASL_PASSWORD}). */
        Optional<String> password();

        /** A file holding the SASL password (a trailing newline is not part of it). */
        Optional<String> passwordFile();
    }

    interface Ssl {
        Truststore truststore();

        Keystore keystore();

        Key key();
    }

    /** The certificate authorities that signed the brokers' certificates; the JVM's own when unset. */
    interface Truststore {
        /** A PEM file of CA certificates, or a PKCS12 (or JKS) trust store. */
        Optional<String> location();

        /** {@code PEM}, {@code PKCS12} or {@code JKS}; by default PEM when the file is PEM, else PKCS12. */
        Optional<String> type();

        /** The trust store's password (environment only); PKCS12 and JKS only. */
        Optional<String> password();

        /** A file holding the trust store's password. */
        Optional<String> passwordFile();
    }

    /** This service's client certificate, for brokers that authenticate clients by TLS (mTLS). */
    interface Keystore {
        /** A PKCS12 (or JKS) key store, or one PEM file with the PKCS#8 key and the certificate chain. */
        Optional<String> location();

        /** {@code PEM}, {@code PKCS12} or {@code JKS}; by default PEM when the file is PEM, else PKCS12. */
        Optional<String> type();

        /** The key store's password (environment only). */
        Optional<String> password();

        /** A file holding the key store's password. */
        Optional<String> passwordFile();

        /** Instead of {@code location}: the PEM certificate chain (a Kubernetes TLS Secret's {@code tls.crt}, Strimzi's {@code user.crt}). */
        @WithName("certificate-file")
        Optional<String> certificateFile();

        /** With {@code certificate-file}: its PKCS#8 PEM private key ({@code tls.key}, {@code user.key}). */
        @WithName("key-file")
        Optional<String> keyFile();
    }

    /** The private key's own password, when the PEM key is encrypted or differs from the key store's. */
    interface Key {
        /** The key's password (environment only). */
        Optional<String> password();

        /** A file holding the key's password. */
        Optional<String> passwordFile();
    }
}
