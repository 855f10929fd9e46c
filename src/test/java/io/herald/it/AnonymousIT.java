package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.Names;
import io.herald.it.support.Tokens;
import io.herald.it.support.WsClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Production settings with anonymous clients switched on (GatewayWorker's flow: the browser connects, hands
 * its clientId to the backend, the backend binds it): an anonymous client receives but may not send until
 * bound, and is closed (4103) if no bind comes within the timeout. Token clients work as usual, with the
 * clients-per-uid policy refuse-new, and the relay policy at its default (none).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnonymousIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int BIND_TIMEOUT_SECONDS = 3;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-anonymous.war", Deployments.config(
                "herald.dev-mode", "false",
                "herald.anonymous.enabled", "true",
                "herald.anonymous.bind-timeout-seconds", String.valueOf(BIND_TIMEOUT_SECONDS),
                "herald.token.hmac-secret", Tokens.SECRET,
                "herald.limits.clients-per-uid", "2",
                "herald.limits.clients-per-uid-policy", "refuse-new"));
    }

    private WsClient bystander;

    @BeforeEach
    void setUp() {
        bystander = connectWithToken(Names.unique("bystander"));
    }

    private WsClient connectWithToken(String uid) {
        return herald.connectQuery("token=" + Tokens.hs256(Tokens.SECRET, Tokens.claims(uid).build()), true);
    }

    private void assertBystanderUndisturbed() {
        assertTrue(bystander.isOpen(), "bystander was closed with " + bystander.closeCode());
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("still", "fine"));
        assertJsonEquals(obj("still", "fine"), bystander.awaitData(WAIT));
    }

    @Test
    void anAnonymousClientReceivesButSendsOnlyOnceBound() throws InterruptedException {
        WsClient anonymous = herald.connectQuery(null, true);
        assertTrue(anonymous.welcome().isNull("uid"), "welcome: " + anonymous.welcome());
        api.sendData("/clients/" + anonymous.clientId() + "/messages", obj("hello", "stranger"));
        assertJsonEquals(obj("hello", "stranger"), anonymous.awaitData(WAIT));

        int in = api.stats().getInt("messagesIn");
        anonymous.sendMessage(obj("let me", "talk"));
        assertEquals("not_bound", anonymous.awaitFrame("error", WAIT).getString("code"));
        anonymous.sendJson(obj("type", "send", "to", obj("uid", "someone"), "data", 1));
        assertEquals("not_bound", anonymous.awaitFrame("error", WAIT).getString("code"));
        anonymous.sendText("{\"type\":\"ping\"}");
        anonymous.awaitFrame("pong", WAIT); // heartbeats are fine
        assertEquals(in, api.stats().getInt("messagesIn"), "refused messages are not counted");

        String uid = Names.unique("now-known");
        api.bind(anonymous.clientId(), uid);
        anonymous.sendMessage(obj("now", "I can"));
        Await.eventually(WAIT, () -> assertEquals(in + 1, api.stats().getInt("messagesIn")));

        Thread.sleep(TimeUnit.SECONDS.toMillis(BIND_TIMEOUT_SECONDS) + 1000);
        assertTrue(anonymous.isOpen(), "a bound client outlives the bind deadline");
        assertBystanderUndisturbed();
    }

    @Test
    void anAnonymousClientThatIsNeverBoundIsClosed() {
        WsClient anonymous = herald.connectQuery(null, true);
        long start = System.nanoTime();
        anonymous.assertClosedWith(4103, Duration.ofSeconds(BIND_TIMEOUT_SECONDS + 5));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= TimeUnit.SECONDS.toMillis(BIND_TIMEOUT_SECONDS) - 500, "closed after " + waited + " ms");
        Await.eventually(WAIT, () -> api.get("/clients/" + anonymous.clientId()).expectError(404, "client_not_found"));
        assertBystanderUndisturbed();
    }

    @Test
    void aBadTokenIsRefusedNotTreatedAsAnonymous() {
        Handshake.send(herald.port(), herald.wsPath("token=" + Tokens.unsigned(Tokens.claims("alice").build())), null)
                .assertRefused(401, "token_invalid");
        Handshake.send(herald.port(), herald.wsPath("token="), null).assertRefused(401, "token_invalid");
        Handshake.send(herald.port(), herald.wsPath("uid=alice"), null).assertRefused(403, "dev_mode_off");
        assertBystanderUndisturbed();
    }

    @Test
    void aThirdClientOfAUidIsRefusedWith429() {
        String uid = Names.unique("pair");
        WsClient first = connectWithToken(uid);
        WsClient second = connectWithToken(uid);
        String token = Tokens.hs256(Tokens.SECRET, Tokens.claims(uid).build());
        Handshake.send(herald.port(), herald.wsPath("token=" + token), null).assertRefused(429, "too_many_clients");
        assertTrue(first.isOpen() && second.isOpen(), "refuse-new leaves the uid's clients alone");
        second.close();
        Await.eventually(WAIT, () -> assertEquals(1,
                api.get("/uids/" + uid).object().getJsonArray("clientIds").size()));
        WsClient third = connectWithToken(uid);
        assertEquals(uid, third.welcome().getString("uid"), "room again once one left");
        assertBystanderUndisturbed();
    }

    @Test
    void byDefaultNothingIsRelayed() {
        String bob = Names.unique("bob");
        WsClient sender = connectWithToken(Names.unique("alice"));
        WsClient recipient = connectWithToken(bob);
        sender.sendJson(obj("type", "send", "to", obj("uid", bob), "data", "psst"));
        assertEquals("relay_forbidden", sender.awaitFrame("error", WAIT).getString("code"));
        recipient.assertNoMessage(Duration.ofMillis(500));
        assertTrue(sender.isOpen());
    }
}
