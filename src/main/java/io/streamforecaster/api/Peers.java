package io.streamforecaster.api;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How this instance reaches the others for forwarded queries: over HTTPS when it serves HTTPS
 * only ({@code quarkus.http.insecure-requests=disabled}, as every instance then does), trusting
 * the default TLS configuration's trust store ({@code quarkus.tls.trust-store.*}, e.g. the CA that
 * signed the instances' certificates) or else the JVM's CAs; over plain HTTP otherwise.
 */
@ApplicationScoped
public class Peers {

    @Inject
    TlsConfigurationRegistry tls;

    @ConfigProperty(name = "quarkus.http.insecure-requests", defaultValue = "enabled")
    String insecureRequests;

    @ConfigProperty(name = PeerHosts.SETTING)
    java.util.Optional<String> peerHostsSetting = java.util.Optional.empty();

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    java.util.Optional<String> applicationServer = java.util.Optional.empty();

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Peers.class);
    private final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Built built;
    /**
     * Read from the setting when first needed, or as the service starts, whichever comes first: a
     * query forwarded before the startup check ran is held to the pattern too.
     */
    volatile PeerHosts hosts;

    /** A wrong {@code forecaster.api.peer-hosts} stops the service as it starts, with a message naming it. */
    void validate(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        hosts = fromSettings();
    }

    private PeerHosts fromSettings() {
        String own = applicationServer.map(a -> org.apache.kafka.streams.state.HostInfo.buildFromEndpoint(a).host()).orElse(null);
        return PeerHosts.of(peerHostsSetting, own);
    }

    PeerHosts hosts() {
        PeerHosts h = hosts;
        if (h == null) {
            h = fromSettings();
            hosts = h;
        }
        return h;
    }

    /** The caller's credentials, passed on to the instance a request is forwarded to, which checks them as this one did. */
    public record Credentials(String authorization, String apiKey) {

        public static Credentials of(HttpHeaders headers) {
            return new Credentials(headers.getHeaderString(HttpHeaders.AUTHORIZATION), headers.getHeaderString(ApiAuthenticator.API_KEY_HEADER));
        }

        public HttpRequest.Builder addTo(HttpRequest.Builder request) {
            if (authorization != null) {
                request.header(HttpHeaders.AUTHORIZATION, authorization);
            }
            if (apiKey != null) {
                request.header(ApiAuthenticator.API_KEY_HEADER, apiKey);
            }
            return request;
        }
    }

    /** An instance's address as people read it: {@code host:port}. */
    static String address(org.apache.kafka.streams.state.HostInfo instance) {
        return instance.host() + ":" + instance.port();
    }

    /**
     * A path (with its query) on another instance, over this instance's scheme.
     *
     * @throws IllegalArgumentException when {@code forecaster.api.peer-hosts} does not allow the instance's host
     */
    java.net.URI uri(org.apache.kafka.streams.state.HostInfo instance, String path) {
        try {
            hosts().check(instance);
        } catch (PeerHosts.Refused e) {
            // once per host (a rogue or misnamed member of the group), a bounded number of them, printable
            if (refused.size() < 100 && refused.add(instance.host())) {
                LOG.warnf("Instance %s of the consumer group is not asked: %s (%s)",
                        address(instance).replaceAll("[^\\x20-\\x7E]", "?"), e.getMessage(), PeerHosts.SETTING);
            }
            throw e;
        }
        java.net.URI uri = java.net.URI.create(scheme() + "://" + address(instance) + path);
        if (!instance.host().equalsIgnoreCase(uri.getHost()) || uri.getPort() != instance.port() || uri.getUserInfo() != null) {
            throw new PeerHosts.Refused("its address does not make a URI of that host and port; not asked");
        }
        return uri;
    }

    public String scheme() {
        return insecureRequests.equalsIgnoreCase("disabled") ? "https" : "http";
    }

    /**
     * The peer's whole answer, or an {@link java.io.IOException} once {@code timeout} has passed.
     * The request's own timeout ends when the response headers arrive; a peer that then stalls in
     * the middle of its body (a GC pause, a network partition, a stopped process) would hold the
     * caller, and its worker thread, for as long as it stalls.
     */
    static <T> java.net.http.HttpResponse<T> await(java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<T>> answer,
                                                   Duration timeout) throws java.io.IOException, InterruptedException {
        try {
            return answer.get(Math.max(1, timeout.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            throw new java.net.http.HttpTimeoutException("no whole answer within " + timeout.toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof java.io.IOException io ? io : new java.io.IOException(e.getCause());
        }
    }

    /**
     * Quarkus reloads the default TLS configuration every {@code quarkus.tls.reload-period} and
     * then announces it: the next forwarded query builds its client with the trust store as it is
     * now, so that a rotated certificate authority is trusted without a restart. Queries already
     * under way finish on the client they started with.
     */
    void onCertificateUpdate(@jakarta.enterprise.event.Observes io.quarkus.tls.CertificateUpdatedEvent event) {
        if (io.quarkus.tls.runtime.config.TlsConfig.DEFAULT_NAME.equals(event.name())) {
            trustedNow = trustFingerprint(event.tlsConfiguration());
        }
    }

    /** The certificates a TLS configuration trusts, as one comparable string (their SHA-256s, sorted); empty for none. */
    static String trustFingerprint(TlsConfiguration config) {
        java.security.KeyStore store = config == null ? null : config.getTrustStore();
        if (store == null) {
            return "";
        }
        try {
            java.util.TreeSet<String> digests = new java.util.TreeSet<>();
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String alias : java.util.Collections.list(store.aliases())) {
                java.security.cert.Certificate c = store.getCertificate(alias);
                if (c != null) {
                    digests.add(java.util.HexFormat.of().formatHex(sha.digest(c.getEncoded())));
                }
            }
            return String.join(",", digests);
        } catch (java.security.GeneralSecurityException e) {
            return "unreadable"; // the same until it can be read again
        }
    }

    /**
     * The client and what it trusts. Quarkus announces every reload, changed or not: a new client
     * (its own connections and selector thread) only when the certificates to trust are others. A
     * client built from a store read just before a reload says so by its fingerprint, and the next
     * call builds again.
     */
    private record Built(HttpClient client, String trusted) {
    }

    /** What the trust store held at its last reload; null before the first. */
    private volatile String trustedNow;

    public HttpClient client() {
        Built b = built;
        String now = trustedNow;
        if (b != null && (now == null || now.equals(b.trusted()))) {
            return b.client();
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        TlsConfiguration config = tls == null ? null : tls.getDefault().orElse(null);
        String trusted = trustFingerprint(config); // as a reload reports it, HTTPS or not: compared alike
        if (scheme().equals("https")) {
            if (config != null && config.getTrustStore() != null) {
                try {
                    builder.sslContext(config.createSSLContext());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot build the TLS context for forwarded queries from quarkus.tls.trust-store.*: " + e, e);
                }
            }
        }
        HttpClient c = builder.build();
        built = new Built(c, trusted);
        return c;
    }
}
