package io.streamforecaster.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Locale;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

/**
 * Decides whether a request to {@code /series} may be answered: always ({@code none}), with the
 * configured API key, or with a bearer JWT signed by the configured key (asymmetric algorithms
 * only, expiry and audience required, issuer checked when set). Built once from the settings,
 * which are checked at startup with messages that name them.
 */
public final class ApiAuthenticator {

    public static final String API_KEY_HEADER = "X-API-Key";

    /** @param denied why, for the 401 answer's body; null when allowed */
    public record Decision(String denied) {

        static final Decision ALLOWED = new Decision(null);

        public boolean allowed() {
            return denied == null;
        }
    }

    private final String mode;
    private final byte[] keyDigest;
    private final JwtConsumer jwt;

    private ApiAuthenticator(String mode, byte[] keyDigest, JwtConsumer jwt) {
        this.mode = mode;
        this.keyDigest = keyDigest;
        this.jwt = jwt;
    }

    /**
     * @param apiKeyFromEnvironment {@code forecaster.api.key}, only when it came from the environment
     * @throws IllegalArgumentException naming the setting when one is wrong or missing
     */
    public static ApiAuthenticator from(ApiSecurityConfig c, String apiKeyFromEnvironment) {
        String mode = c.auth().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "none": {
                // credentials set up with authentication left off: the operator meant the API to be closed
                String credential = c.keyFile().isPresent() ? "forecaster.api.key-file"
                        : apiKeyFromEnvironment != null && !apiKeyFromEnvironment.isBlank() ? "FORECASTER_API_KEY"
                        : c.jwt().publicKeyFile().isPresent() ? "forecaster.api.jwt.public-key-file"
                        : c.jwt().jwksFile().isPresent() ? "forecaster.api.jwt.jwks-file" : null;
                if (credential != null) {
                    throw new IllegalArgumentException(credential + " is set, but forecaster.api.auth = none would leave /series open to anyone: "
                            + "set forecaster.api.auth = " + (credential.contains("jwt") ? "jwt" : "api-key") + ", or remove " + credential);
                }
                return new ApiAuthenticator(mode, null, null);
            }
            case "api-key": {
                // stripped like the file's: a Secret's value often ends with a newline nobody sends in a header
                String key = c.keyFile().map(f -> read("forecaster.api.key-file", f))
                        .or(() -> java.util.Optional.ofNullable(apiKeyFromEnvironment)).map(String::strip).orElse(null);
                if (key == null || key.length() < 16) {
                    throw new IllegalArgumentException("forecaster.api.auth = api-key needs forecaster.api.key-file (or the environment variable "
                            + "FORECASTER_API_KEY) holding a key of at least 16 characters");
                }
                return new ApiAuthenticator(mode, sha256(key), null);
            }
            case "jwt":
                return new ApiAuthenticator(mode, null, jwtConsumer(c.jwt()));
            default:
                throw new IllegalArgumentException("Invalid forecaster.api.auth = " + c.auth() + ": must be none, api-key or jwt");
        }
    }

    private static JwtConsumer jwtConsumer(ApiSecurityConfig.Jwt c) {
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(30)
                // never "none" or a shared-secret algorithm a public key could be mistaken for
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
                        AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
                        AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512);
        if (c.publicKeyFile().isPresent() == c.jwksFile().isPresent()) {
            throw new IllegalArgumentException("forecaster.api.auth = jwt needs exactly one of forecaster.api.jwt.public-key-file and forecaster.api.jwt.jwks-file");
        }
        if (c.publicKeyFile().isPresent()) {
            b.setVerificationKey(publicKey(c.publicKeyFile().get()));
        } else {
            String file = c.jwksFile().get();
            try {
                b.setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(read("forecaster.api.jwt.jwks-file", file)).getJsonWebKeys()));
            } catch (JoseException e) {
                throw new IllegalArgumentException("forecaster.api.jwt.jwks-file = " + file + " is not a JSON Web Key Set: " + e.getMessage(), e);
            }
        }
        c.issuer().ifPresent(b::setExpectedIssuer);
        // the keys are often an identity provider's, which signs tokens for every service it serves:
        // only the audience tells those meant for this one (RFC 8725, 3.9)
        String audience = c.audience().filter(a -> !a.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "forecaster.api.auth = jwt needs forecaster.api.jwt.audience: the value this service's tokens carry in aud; "
                        + "without it, any token the same keys signed, for any service, would be accepted"));
        b.setExpectedAudience(audience);
        return b.build();
    }

    private static PublicKey publicKey(String file) {
        String pem = read("forecaster.api.jwt.public-key-file", file);
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
            throw new IllegalArgumentException("forecaster.api.jwt.public-key-file = " + file + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der = java.util.Base64.getDecoder().decode(body);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return java.security.KeyFactory.getInstance(algorithm).generatePublic(new java.security.spec.X509EncodedKeySpec(der));
            } catch (java.security.GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("forecaster.api.jwt.public-key-file = " + file + " is neither an RSA nor an EC public key");
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param apiKey the {@code X-API-Key} header, or null
     */
    public Decision decide(String authorization, String apiKey) {
        switch (mode) {
            case "api-key":
                if (apiKey == null) {
                    return new Decision("an API key is required (header " + API_KEY_HEADER + ")");
                }
                return MessageDigest.isEqual(sha256(apiKey), keyDigest) ? Decision.ALLOWED : new Decision("the API key is not valid");
            case "jwt":
                if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return new Decision("a bearer token is required (header Authorization: Bearer ...)");
                }
                try {
                    jwt.process(authorization.substring(7).trim());
                    return Decision.ALLOWED;
                } catch (InvalidJwtException e) {
                    // the reason, never jose4j's message, which quotes the token
                    return new Decision("the bearer token is not valid: " + (e.hasExpired() ? "expired"
                            : e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) ? "its signature does not verify"
                            : e.hasErrorCode(ErrorCodes.ISSUER_INVALID) ? "wrong issuer"
                            : e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) ? "wrong audience"
                            : e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) ? "no expiry"
                            : "rejected"));
                }
            default:
                return Decision.ALLOWED;
        }
    }

    public boolean required() {
        return !mode.equals("none");
    }

    /** The challenge a 401 answer carries. */
    public String challenge() {
        return mode.equals("jwt") ? "Bearer" : "ApiKey header=\"" + API_KEY_HEADER + "\"";
    }

    private static String read(String setting, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + setting + " = " + file + ": " + e, e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
