package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.quarkus.tls.BaseTlsConfiguration;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.streamforecaster.kafka.TestPki;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarkus reloads the TLS files every {@code quarkus.tls.reload-period} and announces each reload,
 * changed or not. Forwarded queries get a client built from the new trust store when what it trusts
 * changed (a rotated CA), and keep theirs otherwise: a new client is new connections and a thread.
 */
class PeersTrustReloadTest {

    /** A TLS configuration that trusts these authorities. */
    static TlsConfiguration trusting(X509Certificate... cas) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            store.setCertificateEntry("ca-" + i, cas[i]);
        }
        return new BaseTlsConfiguration() {
            @Override
            public KeyStore getTrustStore() {
                return store;
            }

            @Override
            public SSLContext createSSLContext() throws Exception {
                return SSLContext.getDefault();
            }
        };
    }

    @Test
    void shouldBuildANewClientOnlyWhenWhatItTrustsChanged(@TempDir Path dir) throws Exception {
        X509Certificate first = TestPki.create(dir.resolve("a"), "first-ca").ca();
        X509Certificate next = TestPki.create(dir.resolve("b"), "next-ca").ca();
        TlsConfiguration[] current = {trusting(first)};
        Peers peers = new Peers();
        peers.insecureRequests = "disabled"; // HTTPS between the instances
        peers.tls = new TlsConfigurationRegistry() {
            @Override
            public Optional<TlsConfiguration> get(String name) {
                return Optional.empty();
            }

            @Override
            public Optional<TlsConfiguration> getDefault() {
                return Optional.of(current[0]);
            }

            @Override
            public void register(String name, TlsConfiguration configuration) {
            }
        };
        var client = peers.client();
        assertSame(client, peers.client(), "built once");

        current[0] = trusting(first); // a reload that read the same files again
        peers.onCertificateUpdate(new CertificateUpdatedEvent("<default>", current[0]));
        assertSame(client, peers.client(), "nothing to trust changed: the same client");

        peers.onCertificateUpdate(new CertificateUpdatedEvent("other", trusting(next)));
        assertSame(client, peers.client(), "another TLS configuration's reload");

        current[0] = trusting(first, next); // the rotation begins: both authorities trusted
        peers.onCertificateUpdate(new CertificateUpdatedEvent("<default>", current[0]));
        var rotated = peers.client();
        assertNotSame(client, rotated, "built from the reloaded trust store");
        assertSame(rotated, peers.client());
    }
}
