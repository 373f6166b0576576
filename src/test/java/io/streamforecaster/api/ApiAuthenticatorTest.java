package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real keys, real signed tokens: what the filter lets through and what it refuses, and why. */
class ApiAuthenticatorTest {

    @TempDir
    static Path dir;
    static KeyPair rsa;
    static KeyPair other;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
        other = g.generateKeyPair();
    }

    record Jwt(Optional<String> publicKeyFile, Optional<String> jwksFile, Optional<String> issuer, Optional<String> audience)
            implements ApiSecurityConfig.Jwt {
    }

    record Config(String auth, Optional<String> keyFile, Optional<String> key, ApiSecurityConfig.Jwt jwt) implements ApiSecurityConfig {
        @Override
        public Optional<String> peerHosts() {
            return Optional.empty();
        }
    }

    static String token(KeyPair keys, String kid, String issuer, String audience, int expiresInMinutes) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("dashboard");
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setExpirationTimeMinutesInTheFuture(expiresInMinutes);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    static Path publicKeyPem(KeyPair keys) throws Exception {
        return Files.writeString(dir.resolve("public-" + System.nanoTime() + ".pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    }

    @Test
    void offLetsEveryRequestThrough() {
        ApiAuthenticator a = ApiAuthenticator.from(new Config("none", Optional.empty(), Optional.empty(), new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), null);
        assertFalse(a.required());
        assertTrue(a.decide(null, null).allowed());
    }

    @Test
    void anApiKeyMustMatchExactly() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("api-key"), "0123456789abcdef-secret\n");
        ApiAuthenticator a = ApiAuthenticator.from(new Config("api-key", Optional.of(keyFile.toString()), Optional.empty(),
                new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), null);
        assertTrue(a.decide(null, "0123456789abcdef-secret").allowed());
        assertFalse(a.decide(null, "0123456789abcdef-secreT").allowed());
        assertFalse(a.decide(null, null).allowed());
        assertTrue(a.decide(null, null).denied().contains("X-API-Key"));
        assertTrue(ApiAuthenticator.from(new Config("api-key", Optional.empty(), Optional.empty(),
                new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), "from-the-environment-1234").decide(null, "from-the-environment-1234").allowed());
        assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("api-key", Optional.empty(), Optional.empty(),
                new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), "short"));
    }

    /** A key set up with authentication left off is a mistake that leaves the API open: refused at startup, naming both settings. */
    @Test
    void credentialsWithAuthenticationOffAreRefused() throws Exception {
        Jwt noJwt = new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        Path keyFile = Files.writeString(dir.resolve("api-key-off"), "0123456789abcdef-secret\n");
        String fromFile = assertThrows(IllegalArgumentException.class,
                () -> ApiAuthenticator.from(new Config("none", Optional.of(keyFile.toString()), Optional.empty(), noJwt), null)).getMessage();
        assertTrue(fromFile.contains("forecaster.api.key-file") && fromFile.contains("forecaster.api.auth = api-key"), fromFile);
        String fromEnv = assertThrows(IllegalArgumentException.class,
                () -> ApiAuthenticator.from(new Config("none", Optional.empty(), Optional.empty(), noJwt), "0123456789abcdef-secret")).getMessage();
        assertTrue(fromEnv.contains("FORECASTER_API_KEY"), fromEnv);
        assertFalse(ApiAuthenticator.from(new Config("none", Optional.empty(), Optional.empty(), noJwt), "").required(),
                "an empty variable (a templated Secret left empty) is no key");
        String jwt = assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("none", Optional.empty(), Optional.empty(),
                new Jwt(Optional.of("/some.pem"), Optional.empty(), Optional.empty(), Optional.empty())), null)).getMessage();
        assertTrue(jwt.contains("forecaster.api.auth = jwt"), jwt);
    }

    /** A Kubernetes Secret's value often ends with a newline: the key from the environment is stripped as the file's is. */
    @Test
    void aKeyFromTheEnvironmentIsStrippedLikeOneFromAFile() {
        ApiAuthenticator a = ApiAuthenticator.from(new Config("api-key", Optional.empty(), Optional.empty(),
                new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())), "0123456789abcdef-secret\n");
        assertTrue(a.decide(null, "0123456789abcdef-secret").allowed());
    }

    @Test
    void aJwtSignedByTheConfiguredPublicKeyPasses() throws Exception {
        ApiAuthenticator a = ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                new Jwt(Optional.of(publicKeyPem(rsa).toString()), Optional.empty(), Optional.of("https://issuer.example"), Optional.of("stream-forecaster"))), null);
        assertTrue(a.decide("Bearer " + token(rsa, "k1", "https://issuer.example", "stream-forecaster", 5), null).allowed());
        assertEquals("the bearer token is not valid: its signature does not verify",
                a.decide("Bearer " + token(other, "k1", "https://issuer.example", "stream-forecaster", 5), null).denied());
        assertEquals("the bearer token is not valid: expired", a.decide("Bearer " + token(rsa, "k1", "https://issuer.example", "stream-forecaster", -5), null).denied());
        assertEquals("the bearer token is not valid: wrong issuer", a.decide("Bearer " + token(rsa, "k1", "https://evil.example", "stream-forecaster", 5), null).denied());
        assertEquals("the bearer token is not valid: wrong audience", a.decide("Bearer " + token(rsa, "k1", "https://issuer.example", "other", 5), null).denied());
        assertFalse(a.decide(null, null).allowed());
        assertFalse(a.decide("Basic dXNlcjpwYXNz", null).allowed());
        assertFalse(a.decide("Bearer not.a.token", null).allowed());
    }

    @Test
    void anHmacTokenKeyedWithThePublicKeyIsRefused() throws Exception {
        ApiAuthenticator a = ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                new Jwt(Optional.of(publicKeyPem(rsa).toString()), Optional.empty(), Optional.empty(), Optional.of("stream-forecaster"))), null);
        JwtClaims claims = new JwtClaims();
        claims.setAudience("stream-forecaster");
        claims.setExpirationTimeMinutesInTheFuture(5);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(rsa.getPublic().getEncoded()));
        jws.setDoKeyValidation(false);
        assertFalse(a.decide("Bearer " + jws.getCompactSerialization(), null).allowed(), "algorithm confusion");
    }

    @Test
    void aJwksFileChoosesTheKeyByKid() throws Exception {
        RsaJsonWebKey k1 = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(rsa.getPublic());
        k1.setKeyId("k1");
        RsaJsonWebKey k2 = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(other.getPublic());
        k2.setKeyId("k2");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JsonWebKeySet(k1, k2).toJson());
        ApiAuthenticator a = ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                new Jwt(Optional.empty(), Optional.of(jwks.toString()), Optional.empty(), Optional.of("a"))), null);
        assertTrue(a.decide("Bearer " + token(rsa, "k1", "i", "a", 5), null).allowed());
        assertTrue(a.decide("Bearer " + token(other, "k2", "i", "a", 5), null).allowed());
        assertFalse(a.decide("Bearer " + token(other, "k1", "i", "a", 5), null).allowed(), "k1's kid with k2's signature");
    }

    @Test
    void wrongSettingsAreRefusedWithTheirNames() {
        Jwt none = new Jwt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("basic", Optional.empty(), Optional.empty(), none), null))
                .getMessage().contains("forecaster.api.auth"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(), none), null))
                .getMessage().contains("forecaster.api.jwt.public-key-file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                new Jwt(Optional.of("/nonexistent.pem"), Optional.empty(), Optional.empty(), Optional.of("a"))), null)).getMessage().contains("/nonexistent.pem"));
    }

    /** An identity provider's keys sign tokens for every service it serves: without an audience, each of them opened this API. */
    @Test
    void aJwtSetupWithoutAnAudienceIsRefusedAndATokenForAnotherServiceIsDenied() throws Exception {
        for (Optional<String> missing : List.of(Optional.<String>empty(), Optional.of(" "))) {
            String message = assertThrows(IllegalArgumentException.class, () -> ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                    new Jwt(Optional.of(publicKeyPem(rsa).toString()), Optional.empty(), Optional.of("https://issuer.example"), missing)), null)).getMessage();
            assertTrue(message.contains("forecaster.api.jwt.audience"), message);
        }
        ApiAuthenticator a = ApiAuthenticator.from(new Config("jwt", Optional.empty(), Optional.empty(),
                new Jwt(Optional.of(publicKeyPem(rsa).toString()), Optional.empty(), Optional.empty(), Optional.of("stream-forecaster"))), null);
        assertEquals("the bearer token is not valid: wrong audience",
                a.decide("Bearer " + token(rsa, "k1", "https://issuer.example", "billing", 5), null).denied(), "another service's token");
        assertTrue(a.decide("Bearer " + token(rsa, "k1", "https://issuer.example", "stream-forecaster", 5), null).allowed());
    }
}
