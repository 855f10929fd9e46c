package io.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.Names;
import io.herald.it.support.Tokens;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Production settings with an origin list: a plain GET to the WebSocket URL (what herald.js sends after a
 * failed open) gets the handshake's own refusal as JSON, which the allowed origin may read (CORS) and a
 * foreign origin may read only when the answer is that its origin is refused; a GET that would have been
 * accepted gets 426 upgrade_required and makes no client. Such GETs are not counted as refused handshakes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PlainRequestIT extends ClientTest {

    private static final String APP_ORIGIN = "https://app.example.com";
    private static final String EVIL_ORIGIN = "https://evil.example.net";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-plain.war", Deployments.config(
                "herald.dev-mode", "false",
                "herald.token.hmac-secret", Tokens.SECRET,
                "herald.allowed-origins", APP_ORIGIN,
                // two new connections a second per address: the rate test sends from its own address
                "herald.limits.connections-per-address-per-second", "1",
                "herald.limits.connections-per-address-burst", "2"));
    }

    private Handshake.Response plain(String query, String localAddress, String... headers) {
        return Handshake.plain(herald.port(), herald.wsPath(query), localAddress, headers);
    }

    private String goodToken(String uid) {
        return Tokens.hs256(Tokens.SECRET, Tokens.claims(uid).build());
    }

    @Test
    void anAllowedOriginReadsTheRefusalOfABadToken() {
        Handshake.Response r = plain("token=not.a.token", "127.0.0.2", "Origin", APP_ORIGIN)
                .assertRefused(401, "token_invalid");
        assertEquals(APP_ORIGIN, r.header("Access-Control-Allow-Origin"), r.head());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.head());
        assertTrue(r.header("WWW-Authenticate").contains("invalid_token"), r.head());
        assertTrue(r.header("Vary").contains("Origin"), r.head());

        Handshake.Response missing = plain(null, "127.0.0.2", "Origin", APP_ORIGIN).assertRefused(401, "token_required");
        assertEquals(APP_ORIGIN, missing.header("Access-Control-Allow-Origin"), missing.head());
    }

    @Test
    void aForeignOriginReadsThatItsOriginIsRefusedAndNothingElse() {
        Handshake.Response r = plain("token=" + goodToken(Names.unique("eve")), "127.0.0.3", "Origin", EVIL_ORIGIN)
                .assertRefused(403, "origin_not_allowed");
        assertEquals(EVIL_ORIGIN, r.header("Access-Control-Allow-Origin"), "the page may read why: " + r.head());
        // The real handshake gets the same answer.
        Handshake.send(herald.port(), herald.wsPath(null), "127.0.0.3", "Origin", EVIL_ORIGIN)
                .assertRefused(403, "origin_not_allowed");
    }

    @Test
    void aGetThatWouldBeAcceptedIsAnswered426AndMakesNoClient() {
        String uid = Names.unique("ann");
        int clients = api.stats().getInt("clients");
        Handshake.Response r = plain("token=" + goodToken(uid), "127.0.0.4", "Origin", APP_ORIGIN)
                .assertRefused(426, "upgrade_required");
        assertEquals("websocket", r.header("Upgrade"), r.head());
        assertEquals(APP_ORIGIN, r.header("Access-Control-Allow-Origin"), r.head());
        assertTrue(api.stats().getInt("clients") <= clients, "no client was made");
        assertEquals(false, api.get("/uids/" + uid).expect(200).object().getBoolean("online"));
        // Without an Origin (not a page) the same answer, without CORS headers.
        Handshake.Response noOrigin = plain("token=" + goodToken(uid), "127.0.0.4").assertRefused(426, "upgrade_required");
        assertNull(noOrigin.header("Access-Control-Allow-Origin"), noOrigin.head());
    }

    @Test
    void badParametersAreRefusedWith400() {
        plain("token=" + goodToken(Names.unique("bo")) + "&since=x", "127.0.0.5", "Origin", APP_ORIGIN)
                .assertRefused(400, "bad_since");
        plain("uid=alice", "127.0.0.5", "Origin", APP_ORIGIN).assertRefused(403, "dev_mode_off");
    }

    @Test
    void overTheConnectionRateTheAnswerIs429WithARetryAfterThePageMayRead() {
        Handshake.Response r = null;
        for (int i = 0; i < 5 && (r == null || r.status() != 429); i++) {
            r = plain(null, "127.0.0.6", "Origin", APP_ORIGIN);
        }
        r.assertRefused(429, "too_many_connections");
        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, r.head());
        assertEquals(APP_ORIGIN, r.header("Access-Control-Allow-Origin"), r.head());
        assertTrue(r.header("Access-Control-Expose-Headers").contains("Retry-After"), r.head());
        // From a foreign origin the rate refusal is not readable: it says nothing about the origin.
        Handshake.Response foreign = plain(null, "127.0.0.6", "Origin", EVIL_ORIGIN).assertRefused(429, "too_many_connections");
        assertNull(foreign.header("Access-Control-Allow-Origin"), foreign.head());
    }

    @Test
    void plainRequestsAreNotCountedAsRefusedHandshakes() {
        double before = refused("token_invalid");
        plain("token=forged", "127.0.0.7", "Origin", APP_ORIGIN).assertRefused(401, "token_invalid");
        assertEquals(before, refused("token_invalid"), "a plain GET is not a handshake");
        Handshake.send(herald.port(), herald.wsPath("token=forged"), "127.0.0.7", "Origin", APP_ORIGIN)
                .assertRefused(401, "token_invalid");
        assertEquals(before + 1, refused("token_invalid"), "the handshake is counted");
    }

    @Test
    void theBrowserClientIsServedToEveryOrigin() {
        Handshake.Response r = Handshake.plain(herald.port(), herald.contextPath() + "/herald.js", null,
                "Origin", EVIL_ORIGIN);
        assertEquals(200, r.status(), r.head());
        assertEquals("*", r.header("Access-Control-Allow-Origin"), r.head());
        assertTrue(r.header("Content-Type").contains("javascript"), r.head());
        assertTrue(r.body().contains("export class Herald"), "the module itself");
        // Other pages are not opened to other origins by it.
        Handshake.Response page = Handshake.plain(herald.port(), herald.contextPath() + "/admin.html", null,
                "Origin", EVIL_ORIGIN);
        assertEquals(200, page.status(), page.head());
        assertNull(page.header("Access-Control-Allow-Origin"), page.head());
    }

    private double refused(String reason) {
        String text = api.get("/metrics").expect(200).body();
        Matcher m = Pattern.compile("(?m)^herald_handshakes_refused_total\\{reason=\"" + reason + "\"} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
