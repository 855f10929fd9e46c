package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.herald.config.HeraldConfig;
import io.herald.it.support.JwksServer;
import io.herald.it.support.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The token checks without a server: which tokens pass and with which refusal the others fail. The same
 * attacks go through the real handshake in {@code SecurityIT}.
 */
class TokenVerifierTest {

    private static final KeyPair RSA = Tokens.rsaKeyPair();
    private static final KeyPair EC = Tokens.ecKeyPair();

    /** Configuration with only the token settings a test gives. */
    private static final class Settings extends HeraldConfig {
        String secret;
        String publicKey;
        String issuer;
        String audience;
        String jwksUrl;
        int skew = 30;
        int maxGroups = 100;

        @Override
        public Optional<String> tokenHmacSecret() {
            return Optional.ofNullable(secret);
        }

        @Override
        public Optional<String> tokenPublicKey() {
            return Optional.ofNullable(publicKey);
        }

        @Override
        public Optional<String> tokenJwksUrl() {
            return Optional.ofNullable(jwksUrl);
        }

        @Override
        public int tokenJwksRefreshSeconds() {
            return 300;
        }

        @Override
        public Optional<String> tokenIssuer() {
            return Optional.ofNullable(issuer);
        }

        @Override
        public Optional<String> tokenAudience() {
            return Optional.ofNullable(audience);
        }

        @Override
        public int tokenClockSkewSeconds() {
            return skew;
        }

        @Override
        public String tokenGroupsClaim() {
            return "groups";
        }

        @Override
        public int groupsPerClient() {
            return maxGroups;
        }
    }

    private static TokenVerifier verifier(Settings settings) {
        TokenVerifier verifier = new TokenVerifier();
        verifier.config = settings;
        verifier.start();
        return verifier;
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

    private static void assertRefused(TokenVerifier verifier, String token, int status, String code) {
        HandshakeRefusal refusal = assertThrows(HandshakeRefusal.class, () -> verifier.verify(token));
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertEquals(status, refusal.status(), refusal.getMessage());
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
        assertRefused(verifier, Tokens.hs256("another-secret-that-is-long-enough-0123456", Tokens.claims("alice").build()),
                401, "token_invalid");
        String good = Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").build());
        assertRefused(verifier, Tokens.tampered(good, Tokens.claims("admin").build()), 401, "token_invalid");
        assertRefused(verifier, "not-a-token", 401, "token_invalid");
        assertRefused(verifier, "", 401, "token_invalid");
        assertRefused(verifier, "x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1), 401, "token_invalid");
    }

    @Test
    void unsignedTokensAreInvalid() {
        assertRefused(verifier(hmac()), Tokens.unsigned(Tokens.claims("alice").build()), 401, "token_invalid");
        assertRefused(verifier(rsa()), Tokens.unsigned(Tokens.claims("alice").build()), 401, "token_invalid");
    }

    @Test
    void anHmacTokenMadeWithThePublicKeyIsInvalid() {
        TokenVerifier verifier = verifier(rsa());
        JWTClaimsSet claims = Tokens.claims("mallory").build();
        assertRefused(verifier, Tokens.hs256(RSA.getPublic().getEncoded(), claims), 401, "token_invalid");
        assertRefused(verifier, Tokens.hs256(Tokens.pem(RSA.getPublic()).getBytes(StandardCharsets.UTF_8), claims),
                401, "token_invalid");
    }

    @Test
    void aTokenSignedWithAnotherKeyTypeOrKeyIsInvalid() {
        assertRefused(verifier(rsa()), Tokens.es256(EC, null, Tokens.claims("alice").build()), 401, "token_invalid");
        assertRefused(verifier(rsa()), Tokens.rs256(Tokens.rsaKeyPair(), null, Tokens.claims("alice").build()),
                401, "token_invalid");
        assertRefused(verifier(hmac()), Tokens.rs256(RSA, null, Tokens.claims("alice").build()), 401, "token_invalid");
    }

    @Test
    void timeClaimsAreCheckedWithTheSkew() throws Exception {
        TokenVerifier verifier = verifier(hmac());
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .expirationTime(in(Duration.ofMinutes(-5))).build()), 401, "token_expired");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .notBeforeTime(in(Duration.ofMinutes(5))).build()), 401, "token_invalid");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .expirationTime(null).build()), 401, "token_invalid");
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
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .issuer("https://evil.example.com").audience("herald").build()), 401, "token_invalid");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice")
                .issuer("https://backend.example.com").audience("other").build()), 401, "token_invalid");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("alice").build()), 401, "token_invalid");
    }

    @Test
    void theIdentityMustBeUsable() {
        TokenVerifier verifier = verifier(hmac());
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims("not a uid!").build()), 403, "token_refused");
        assertRefused(verifier, Tokens.hs256(Tokens.SECRET, Tokens.claims(null).build()), 401, "token_invalid");
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
    void aShortSecretIsNotUsed() {
        Settings settings = new Settings();
        settings.secret = "too-short";
        assertFalse(verifier(settings).configured());
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
            assertRefused(verifier, Tokens.rs256(second, "k1", Tokens.claims("mallory").build()), 401, "token_invalid");
            jwks.add(Tokens.publicJwk(second, "k2"));
            assertEquals("carol", verifier.verify(Tokens.rs256(second, "k2", Tokens.claims("carol").build())).uid(),
                    "an unknown kid makes the verifier fetch the keys again");
            assertEquals(2, jwks.fetches());
            // HMAC is never checked against a JWKS, not even with a symmetric key published there
            byte[] secret = Tokens.SECRET.getBytes(StandardCharsets.UTF_8);
            jwks.add(new OctetSequenceKey.Builder(secret).keyID("o1").build());
            assertRefused(verifier, Tokens.hs256(secret, Tokens.claims("mallory").build()), 401, "token_invalid");
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
