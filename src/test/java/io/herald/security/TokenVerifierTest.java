package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.config.BadSetting;
import io.herald.routing.ConnectionSettings;
import io.herald.it.support.JwksServer;
import io.herald.it.support.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The token checks without a server: which tokens pass and with which refusal the others fail. The same
 * attacks go through the real handshake in {@code SecurityIT}.
 */
class TokenVerifierTest {

    private static final KeyPair RSA = Tokens.rsaKeyPair();
    private static final KeyPair EC = Tokens.ecKeyPair();

    /** The token settings a test gives; the rest are the defaults. */
    private static final class Settings {
        String secret;
        String publicKey;
        String issuer;
        String audience;
        String jwksUrl;
        int skew = 30;
        int maxGroups = 100;
    }

    private static TokenVerifier verifier(Settings settings) {
        TokenVerifier verifier = new TokenVerifier();
        verifier.settings = tokenSettings(settings);
        verifier.connection = new ConnectionSettings(25, 60, 65536, 1000, 1048576, 4096, settings.maxGroups, 10);
        verifier.start();
        return verifier;
    }

    private static TokenSettings tokenSettings(Settings settings) {
        Map<String, String> values = new HashMap<>();
        values.put("herald.token.hmac-secret", settings.secret);
        values.put("herald.token.public-key", settings.publicKey);
        values.put("herald.token.jwks-url", settings.jwksUrl);
        values.put("herald.token.issuer", settings.issuer);
        values.put("herald.token.audience", settings.audience);
        values.put("herald.token.clock-skew-seconds", String.valueOf(settings.skew));
        return TokenSettings.from(io.herald.config.Settings.of(values));
    }

    private static Settings hmac() {
        Settings settings = new Settings();
        settings.secret = Tokens.SECRET;
        return settings;
    }

    private static Settings rsa() {
        Settings settings = new Settings();
        settings.publicKey = Tokens.pem(RSA.getPublic());
        return settings;
    }

    private static HandshakeRefusal assertRefused(TokenVerifier verifier, String token, int status, String code) {
        HandshakeRefusal refusal = assertThrows(HandshakeRefusal.class, () -> verifier.verify(token));
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertEquals(status, refusal.status(), refusal.getMessage());
        return refusal;
    }

    /** A 401 token_invalid with exactly Herald's message. */
    private static void assertInvalid(TokenVerifier verifier, String token, String message) {
        assertEquals(message, assertRefused(verifier, token, 401, "token_invalid").getMessage());
    }

    /** A 401 token_invalid whose message starts with Herald's words. */
    private static void assertInvalidStarting(TokenVerifier verifier, String token, String start) {
        String message = assertRefused(verifier, token, 401, "token_invalid").getMessage();
        assertTrue(message.startsWith(start), message);
    }

    private static Date in(Duration duration) {
        return Date.from(Instant.now().plus(duration));
    }

    @Test
    void aGoodHmacTokenBindsItsSubAndGroups() throws Exception {
        Identity identity = verifier(hmac()).verify(Tokens.hs256(Tokens.SECRET,
                Tokens.claims("alice", List.of("room", "lobby", "room")).build()));
        assertEquals("alice", identity.uid());
        assertEquals(List.of("room", "lobby"), identity.groups());
    }

    @Test
    void goodRsaAndEcTokensPass() throws Exception {
        assertEquals("bob", verifier(rsa()).verify(Tokens.rs256(RSA, null, Tokens.claims("bob").build())).uid());
        Settings ec = new Settings();
        ec.publicKey = Tokens.pem(EC.getPublic());
        assertEquals("carol", verifier(ec).verify(Tokens.es256(EC, null, Tokens.claims("carol").build())).uid());
    }

    @Test
    void forgedAndTamperedTokensAreInvalid() {
        TokenVerifier verifier = verifier(hmac());
        assertInvalid(verifier, Tokens.hs256("another-secret-that-is-long-enough-0123456", Tokens.claims("alice").build()),
                TokenFailures.BAD_SIGNATURE);
        String good = Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").build());
        assertInvalid(verifier, Tokens.tampered(good, Tokens.claims("admin").build()), TokenFailures.BAD_SIGNATURE);
        assertInvalid(verifier, "not-a-token", TokenFailures.MALFORMED);
        assertInvalid(verifier, "a.b.c", TokenFailures.MALFORMED);
        assertInvalidStarting(verifier, "", "the token is empty");
        assertInvalidStarting(verifier, "x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1), "the token is empty or longer than");
    }

    @Test
    void unsignedTokensAreInvalidInHeraldsWords() {
        String unsigned = Tokens.unsigned(Tokens.claims("alice").build());
        assertInvalid(verifier(hmac()), unsigned, TokenFailures.UNSIGNED);
        assertInvalid(verifier(rsa()), unsigned, TokenFailures.UNSIGNED);
    }

    @Test
    void encryptedTokensAreInvalid() throws Exception {
        EncryptedJWT encrypted = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
                Tokens.claims("alice").build());
        encrypted.encrypt(new RSAEncrypter((RSAPublicKey) RSA.getPublic()));
        assertInvalid(verifier(rsa()), encrypted.serialize(), TokenFailures.ENCRYPTED);
    }

    @Test
    void aTypeOtherThanJwtIsInvalid() throws Exception {
        SignedJWT typed = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt"))
                .build(), Tokens.claims("alice").build());
        typed.sign(new MACSigner(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)));
        assertInvalidStarting(verifier(hmac()), typed.serialize(), "the token's typ header");
        SignedJWT plain = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                Tokens.claims("alice").build());
        plain.sign(new MACSigner(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)));
        assertEquals("alice", verifier(hmac()).verify(plain.serialize()).uid(), "typ JWT is fine");
    }

    @Test
    void claimsThatAreNotAnObjectAreInvalid() throws Exception {
        JWSObject signed = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload("[\"not\", \"claims\"]"));
        signed.sign(new MACSigner(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)));
        assertInvalid(verifier(hmac()), signed.serialize(), TokenFailures.BAD_CLAIMS);
    }

    @Test
    void anHmacTokenMadeWithThePublicKeyIsInvalid() {
        TokenVerifier verifier = verifier(rsa());
        JWTClaimsSet claims = Tokens.claims("mallory").build();
        assertInvalid(verifier, Tokens.hs256(RSA.getPublic().getEncoded(), claims), TokenFailures.ALGORITHM);
        assertInvalid(verifier, Tokens.hs256(Tokens.pem(RSA.getPublic()).getBytes(StandardCharsets.UTF_8), claims),
                TokenFailures.ALGORITHM);
    }

    @Test
    void aTokenSignedWithAnotherKeyTypeOrKeyIsInvalid() {
        assertInvalid(verifier(rsa()), Tokens.es256(EC, null, Tokens.claims("alice").build()), TokenFailures.ALGORITHM);
        assertInvalid(verifier(rsa()), Tokens.rs256(Tokens.rsaKeyPair(), null, Tokens.claims("alice").build()),
                TokenFailures.BAD_SIGNATURE);
        assertInvalid(verifier(hmac()), Tokens.rs256(RSA, null, Tokens.claims("alice").build()), TokenFailures.ALGORITHM);
    }

    @Test
    void timeClaimsAreCheckedWithTheSkew() throws Exception {
        TokenVerifier verifier = verifier(hmac());
        String expired = assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .expirationTime(in(Duration.ofMinutes(-5))).build()), 401, "token_expired").getMessage();
        assertTrue(expired.startsWith("the token expired at "), expired);
        assertInvalidStarting(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .notBeforeTime(in(Duration.ofMinutes(5))).build()), "the token is not valid before ");
        assertInvalid(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .expirationTime(null).build()), "the token has no exp claim");
        // within the 30 s skew both ways
        verifier.verify(Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .expirationTime(in(Duration.ofSeconds(-10))).notBeforeTime(in(Duration.ofSeconds(10))).build()));
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
        Settings settings = hmac();
        settings.issuer = "https://backend.example.com";
        settings.audience = "herald";
        TokenVerifier verifier = verifier(settings);
        verifier.verify(Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .issuer("https://backend.example.com").audience(List.of("other", "herald")).build()));
        assertInvalid(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .issuer("https://evil.example.com").audience("herald").build()), "the token's issuer is not the configured one");
        assertInvalid(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .issuer("https://backend.example.com").audience("other").build()), "the token is not meant for this audience");
        assertInvalid(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").build()),
                "the token's issuer is not the configured one");
    }

    @Test
    void theIdentityMustBeUsable() {
        TokenVerifier verifier = verifier(hmac());
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("not a uid!").build()), 403, "token_refused");
        assertInvalid(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims(null).build()), "the token has no sub claim");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice", List.of("bad group")).build()),
                403, "token_refused");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").claim("groups", "room").build()),
                403, "token_refused");
        Settings few = hmac();
        few.maxGroups = 2;
        assertRefused(verifier(few), Tokens.hs256(Tokens.SECRET, Tokens.claims("alice", List.of("a", "b", "c")).build()),
                403, "too_many_groups");
    }

    @Test
    void withoutAKeyEveryTokenIsRefused() {
        TokenVerifier verifier = verifier(new Settings());
        assertFalse(verifier.configured());
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").build()), 401, "token_invalid");
    }

    @Test
    void aShortOrMalformedKeyStopsTheStart() {
        Settings settings = new Settings();
        settings.secret = "too-short";
        BadSetting shortSecret = assertThrows(BadSetting.class, () -> tokenSettings(settings));
        assertEquals("herald.token.hmac-secret", shortSecret.key());
        assertFalse(shortSecret.getMessage().contains("too-short"), "the secret is never shown");

        settings.secret = "base64:***";
        assertEquals("herald.token.hmac-secret", assertThrows(BadSetting.class, () -> tokenSettings(settings)).key());

        Settings pem = new Settings();
        pem.publicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
        assertEquals("herald.token.public-key", assertThrows(BadSetting.class, () -> tokenSettings(pem)).key());

        Settings jwks = new Settings();
        jwks.jwksUrl = "not a url";
        assertEquals("herald.token.jwks-url", assertThrows(BadSetting.class, () -> tokenSettings(jwks)).key());
    }

    @Test
    void jwksKeysAreFetchedOnceAndRotatedKeysFound() throws Exception {
        KeyPair second = Tokens.rsaKeyPair();
        try (JwksServer jwks = JwksServer.start(Tokens.publicJwk(RSA, "k1"), Tokens.publicJwk(EC, "e1"))) {
            Settings settings = new Settings();
            settings.jwksUrl = jwks.url();
            TokenVerifier verifier = verifier(settings);
            assertEquals("alice", verifier.verify(Tokens.rs256(RSA, "k1", Tokens.claims("alice").build())).uid());
            assertEquals("bob", verifier.verify(Tokens.es256(EC, "e1", Tokens.claims("bob").build())).uid());
            assertEquals(1, jwks.fetches(), "the key set is cached");
            // a token signed with another key under a known kid: the cached key does not verify it
            assertInvalid(verifier, Tokens.rs256(second, "k1", Tokens.claims("mallory").build()), TokenFailures.BAD_SIGNATURE);
            jwks.add(Tokens.publicJwk(second, "k2"));
            assertEquals("carol", verifier.verify(Tokens.rs256(second, "k2", Tokens.claims("carol").build())).uid(),
                    "an unknown kid makes the verifier fetch the keys again");
            assertEquals(2, jwks.fetches());
            // HMAC is never checked against a JWKS, not even with a symmetric key published there
            byte[] secret = Tokens.SECRET.getBytes(StandardCharsets.UTF_8);
            jwks.add(new OctetSequenceKey.Builder(secret).keyID("o1").build());
            assertInvalid(verifier, Tokens.hs256(secret, Tokens.claims("mallory").build()), TokenFailures.ALGORITHM);
        }
    }

    @Test
    void aKeyIdThatNoKeySetHasIsAnUnknownKey() {
        try (JwksServer jwks = JwksServer.start(Tokens.publicJwk(RSA, "k1"))) {
            Settings settings = new Settings();
            settings.jwksUrl = jwks.url();
            TokenVerifier verifier = verifier(settings);
            assertInvalid(verifier, Tokens.rs256(Tokens.rsaKeyPair(), "k9", Tokens.claims("mallory").build()),
                    TokenFailures.UNKNOWN_KEY);
            assertInvalid(verifier, Tokens.es256(EC, "e9", Tokens.claims("mallory").build()), TokenFailures.UNKNOWN_KEY);
        }
    }

    @Test
    void anUnreachableJwksIsAServerProblem() {
        JwksServer jwks = JwksServer.start(Tokens.publicJwk(RSA, "k1"));
        jwks.close();
        Settings settings = new Settings();
        settings.jwksUrl = jwks.url();
        assertRefused(verifier(settings), Tokens.rs256(RSA, "k1", Tokens.claims("alice").build()),
                503, "token_keys_unavailable");
    }

    @Test
    void badPemIsReported() {
        assertThrows(IllegalArgumentException.class, () -> PemKeys.publicKey("hello"));
        assertThrows(IllegalArgumentException.class,
                () -> PemKeys.publicKey("-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----"));
    }
}
