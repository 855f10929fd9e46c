package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.Herald;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.JwksServer;
import io.herald.it.support.Names;
import io.herald.it.support.Tokens;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Production settings with client tokens: every forged, expired, misdirected or unsigned token, and every
 * page from a foreign origin, is refused with an HTTP status before the upgrade, while a client connected
 * with a good token carries on undisturbed. Keys: an HMAC secret, an RSA public key (PEM), and a JWKS
 * served by a loopback HTTP server this test starts.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecurityIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String ISSUER = "https://backend.example.test";
    private static final String AUDIENCE = "herald";
    private static final String APP_ORIGIN = "https://app.example.com";

    private static final KeyPair RSA = Tokens.rsaKeyPair();
    private static final KeyPair JWKS_EC = Tokens.ecKeyPair();
    private static final KeyPair JWKS_RSA_NEXT = Tokens.rsaKeyPair();
    private static JwksServer jwks;

    @Deployment(testable = false)
    static WebArchive deployment() {
        jwks = JwksServer.start(Tokens.publicJwk(JWKS_EC, "ec-1"));
        return Deployments.herald("herald-security.war", Deployments.config(
                "herald.dev-mode", "false",
                "herald.token.hmac-secret", Tokens.SECRET,
                "herald.token.public-key", Tokens.pem(RSA.getPublic()),
                "herald.token.jwks-url", jwks.url(),
                "herald.token.issuer", ISSUER,
                "herald.token.audience", AUDIENCE,
                "herald.allowed-origins", APP_ORIGIN + ",same-origin"));
    }

    @AfterAll
    static void stopJwks() {
        if (jwks != null) {
            jwks.close();
        }
    }

    private WsClient bystander;

    @BeforeEach
    void setUp() {
        bystander = herald.connectQuery("token=" + hs256(claims(Names.unique("bystander"))), true);
    }

    private static JWTClaimsSet.Builder claims(String uid) {
        return Tokens.claims(uid).issuer(ISSUER).audience(AUDIENCE);
    }

    private static String hs256(JWTClaimsSet.Builder claims) {
        return Tokens.hs256(Tokens.SECRET, claims.build());
    }

    private static Date in(Duration duration) {
        return Date.from(Instant.now().plus(duration));
    }

    private Handshake.Response handshake(String token, String... headers) {
        return Handshake.send(herald.port(), herald.wsPath(token == null ? null : "token=" + token), null, headers);
    }

    /** The refused handshake left no client behind, and the bystander still receives pushes. */
    private void assertBystanderUndisturbed(int clientsBefore) {
        // clients of earlier tests may still be leaving, so the count can only have gone down
        int clients = api.stats().getInt("clients");
        assertTrue(clients <= clientsBefore, "a refused handshake left a client: " + clients + " > " + clientsBefore);
        assertTrue(bystander.isOpen(), "bystander was closed with " + bystander.closeCode());
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("still", "fine"));
        assertJsonEquals(obj("still", "fine"), bystander.awaitData(WAIT));
    }

    // ---------------------------------------------------------------- good tokens

    @Test
    void aGoodTokenBindsItsSubAndJoinsItsGroups() {
        String uid = Names.unique("alice");
        String room = Names.unique("room");
        WsClient alice = herald.connectQuery("token=" + hs256(claims(uid).claim("groups", List.of(room))), true);
        assertEquals(uid, alice.welcome().getString("uid"), "welcome: " + alice.welcome());
        JsonObject described = api.get("/clients/" + alice.clientId()).expect(200).object();
        assertEquals(List.of(room), JsonSupport.strings(described.get("groups")));
        api.post("/groups/" + room + "/messages", obj("data", "to the room")).expect(202);
        assertJsonEquals(JsonSupport.value("to the room"), alice.awaitData(WAIT));
        api.post("/uids/" + uid + "/messages", obj("data", "to alice", "durable", false)).expect(202);
        assertJsonEquals(JsonSupport.value("to alice"), alice.awaitData(WAIT));
        bystander.assertNoMessage(Duration.ofMillis(300));
    }

    @Test
    void rsaAndJwksTokensWork() {
        String bob = Names.unique("bob");
        WsClient viaPem = herald.connectQuery("token=" + Tokens.rs256(RSA, null, claims(bob).build()), true);
        assertEquals(bob, viaPem.welcome().getString("uid"));
        String carol = Names.unique("carol");
        WsClient viaJwks = herald.connectQuery("token=" + Tokens.es256(JWKS_EC, "ec-1", claims(carol).build()), true);
        assertEquals(carol, viaJwks.welcome().getString("uid"));

        // the provider rotates: it publishes a new key and signs with it; Herald fetches the keys again
        jwks.add(Tokens.publicJwk(JWKS_RSA_NEXT, "rsa-2"));
        String dave = Names.unique("dave");
        WsClient rotated = herald.connectQuery("token=" + Tokens.rs256(JWKS_RSA_NEXT, "rsa-2", claims(dave).build()), true);
        assertEquals(dave, rotated.welcome().getString("uid"));
    }

    // ---------------------------------------------------------------- bad tokens

    @Test
    void forgedTokensAreRefusedWith401() {
        int clients = api.stats().getInt("clients");
        String good = hs256(claims("alice"));
        handshake(Tokens.tampered(good, claims("admin").build())).assertRefused(401, "token_invalid");
        handshake(Tokens.hs256("a-different-secret-of-the-right-length-0123", claims("alice").build()))
                .assertRefused(401, "token_invalid");
        handshake("garbage.not.jwt").assertRefused(401, "token_invalid");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void expiredAndNotYetValidTokensAreRefusedWith401() {
        int clients = api.stats().getInt("clients");
        Handshake.Response expired = handshake(hs256(claims("alice").expirationTime(in(Duration.ofMinutes(-2)))))
                .assertRefused(401, "token_expired");
        assertTrue(expired.header("WWW-Authenticate").contains("invalid_token"), expired.head());
        handshake(hs256(claims("alice").notBeforeTime(in(Duration.ofMinutes(2))))).assertRefused(401, "token_invalid");
        handshake(hs256(claims("alice").expirationTime(null))).assertRefused(401, "token_invalid");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void tokensForAnotherAudienceOrFromAnotherIssuerAreRefused() {
        int clients = api.stats().getInt("clients");
        handshake(hs256(claims("alice").audience("another-service"))).assertRefused(401, "token_invalid");
        handshake(hs256(claims("alice").issuer("https://evil.example.test"))).assertRefused(401, "token_invalid");
        handshake(hs256(Tokens.claims("alice"))).assertRefused(401, "token_invalid"); // neither iss nor aud
        assertBystanderUndisturbed(clients);
    }

    @Test
    void unsignedTokensAreRefusedInHeraldsWords() {
        int clients = api.stats().getInt("clients");
        Handshake.Response refused = handshake(Tokens.unsigned(claims("alice").build())).assertRefused(401, "token_invalid");
        // not the token library's own words ("Unsecured (plain) JWTs are rejected, extend class to handle")
        assertEquals("the token is unsigned (alg none); tokens must be signed",
                JsonSupport.parse(refused.body()).asJsonObject().getString("message"), refused.body());
        assertBystanderUndisturbed(clients);
    }

    @Test
    void algorithmConfusionIsRefused() {
        int clients = api.stats().getInt("clients");
        // HS256 "signed" with the RSA public key, which an attacker knows: the public key is not a secret
        JWTClaimsSet claims = claims("admin").build();
        handshake(Tokens.hs256(RSA.getPublic().getEncoded(), claims)).assertRefused(401, "token_invalid");
        handshake(Tokens.hs256(Tokens.pem(RSA.getPublic()).getBytes(StandardCharsets.UTF_8), claims))
                .assertRefused(401, "token_invalid");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void tokensSignedWithTheWrongKeyAreRefused() {
        int clients = api.stats().getInt("clients");
        KeyPair stranger = Tokens.rsaKeyPair();
        handshake(Tokens.rs256(stranger, null, claims("alice").build())).assertRefused(401, "token_invalid");
        handshake(Tokens.es256(Tokens.ecKeyPair(), "ec-1", claims("alice").build())).assertRefused(401, "token_invalid");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void unusableIdentitiesAreRefusedWith403() {
        int clients = api.stats().getInt("clients");
        handshake(hs256(claims("not a uid"))).assertRefused(403, "token_refused");
        handshake(hs256(claims("alice").claim("groups", List.of("no spaces allowed")))).assertRefused(403, "token_refused");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void withoutATokenNobodyConnects() {
        int clients = api.stats().getInt("clients");
        Handshake.Response none = handshake(null).assertRefused(401, "token_required");
        assertEquals("Bearer realm=\"herald\"", none.header("WWW-Authenticate"));
        Handshake.send(herald.port(), herald.wsPath("uid=alice"), null).assertRefused(403, "dev_mode_off");
        Handshake.send(herald.port(), herald.wsPath("token=&uid=alice"), null).assertRefused(403, "dev_mode_off");
        assertBystanderUndisturbed(clients);
    }

    // ---------------------------------------------------------------- origins

    @Test
    void aPageFromAForeignOriginIsRefusedWith403() {
        int clients = api.stats().getInt("clients");
        String token = hs256(claims(Names.unique("victim")));
        handshake(token, "Origin", "https://evil.example.net").assertRefused(403, "origin_not_allowed");
        handshake(token, "Origin", "null").assertRefused(403, "origin_not_allowed");
        handshake(token, "Origin", "http://app.example.com").assertRefused(403, "origin_not_allowed");
        handshake(token, "Origin", APP_ORIGIN, "Origin", "https://evil.example.net")
                .assertRefused(403, "origin_not_allowed");
        assertBystanderUndisturbed(clients);
    }

    @Test
    void allowedOriginsAndNonBrowserClientsConnect() {
        String token = hs256(claims(Names.unique("fan")));
        handshake(token, "Origin", APP_ORIGIN).assertUpgraded();
        handshake(token, "Origin", "http://127.0.0.1:" + herald.port()).assertUpgraded(); // same origin
        handshake(token).assertUpgraded(); // no Origin: not a browser
    }
}
