package io.streamforecaster.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Optional authentication of {@code /series} ({@code forecaster.api.*}); off by default. Health
 * and metrics are on the management port and not covered (keep that port inside the cluster).
 */
@ConfigMapping(prefix = "forecaster.api")
public interface ApiSecurityConfig {

    /** {@code none} (default), {@code api-key} (header {@code X-API-Key}) or {@code jwt} (header {@code Authorization: Bearer}). */
    @WithDefault("none")
    String auth();

    /** With {@code api-key}: a file holding the key (or the environment variable {@code FORECASTER_API_KEY}). */
    Optional<String> keyFile();

    /** With {@code api-key}: the key, from the environment only ({@code FORECASTER_API_KEY}). */
    Optional<String> key();

    Jwt jwt();

    /**
     * A regular expression every other instance's host (its {@code application.server}, from Kafka
     * Streams' group metadata) must match in full before a query and the caller's credentials are
     * forwarded to it; unset, any host ({@link PeerHosts}).
     */
    Optional<String> peerHosts();

    interface Jwt {
        /** A PEM public key (RSA or EC) the tokens are signed with. */
        Optional<String> publicKeyFile();

        /** Or a JWKS file (JSON Web Key Set): the key is chosen by the token's {@code kid}. */
        Optional<String> jwksFile();

        /** The {@code iss} every token must carry, when set. */
        Optional<String> issuer();

        /** An {@code aud} every token must carry: required with {@code auth = jwt}. */
        Optional<String> audience();
    }
}
