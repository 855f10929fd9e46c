package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import io.herald.it.support.Tokens;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits against abuse, each with small settings so that a test reaches them: frame size, frames per
 * second, clients per uid (close-oldest), groups per client, new connections per address (behind a
 * trusted proxy at 127.0.0.1). Each attack is answered as documented, and a bystander carries on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LimitsIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int FRAME_MAX = 4096;
    private static final int RATE = 5;
    private static final int BURST = 10;
    private static final int CLIENTS_PER_UID = 3;
    private static final int GROUPS_PER_CLIENT = 3;
    private static final int CONNECTIONS_PER_ADDRESS = 20;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-limits.war", Deployments.config(
                "herald.frame.max-bytes", String.valueOf(FRAME_MAX),
                "herald.limits.messages-per-second", String.valueOf(RATE),
                "herald.limits.messages-burst", String.valueOf(BURST),
                "herald.limits.flood-close-after", "30",
                "herald.limits.clients-per-uid", String.valueOf(CLIENTS_PER_UID),
                "herald.limits.groups-per-client", String.valueOf(GROUPS_PER_CLIENT),
                "herald.limits.connections-per-address-per-second", String.valueOf(CONNECTIONS_PER_ADDRESS),
                "herald.limits.connections-per-address-burst", String.valueOf(CONNECTIONS_PER_ADDRESS),
                "herald.trusted-proxies", "127.0.0.1",
                "herald.token.hmac-secret", Tokens.SECRET));
    }

    private WsClient bystander;

    @BeforeEach
    void setUp() {
        bystander = herald.connect(Names.unique("bystander"));
    }

    private void assertBystanderUndisturbed() {
        assertTrue(bystander.isOpen(), "bystander was closed with " + bystander.closeCode());
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("still", "fine"));
        assertJsonEquals(obj("still", "fine"), bystander.awaitData(WAIT));
        bystander.assertNoMessage(Duration.ZERO);
    }

    @Test
    void anOversizeFrameCloses1009() {
        WsClient big = herald.connect(Names.unique("big"));
        big.sendText("{\"type\":\"message\",\"data\":\"" + "z".repeat(FRAME_MAX) + "\"}");
        big.assertClosedWith(1009, WAIT);
        assertBystanderUndisturbed();
    }

    @Test
    void aFloodingClientIsWarnedOnceThenClosed() {
        WsClient flood = herald.connect(Names.unique("flood"));
        int before = api.stats().getInt("messagesIn");
        long start = System.nanoTime();
        int sent = 0;
        for (int i = 0; i < 300 && flood.isOpen(); i++) {
            try {
                flood.sendMessage(JsonSupport.value(i));
                sent++;
            } catch (AssertionError | IllegalStateException closedMeanwhile) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonObject warning = flood.awaitFrame("error", WAIT);
        assertEquals("rate_limited", warning.getString("code"), "warning: " + warning);
        flood.assertClosedWith(4002, WAIT);
        flood.assertNoMessage(Duration.ZERO); // one warning, not one per dropped frame
        int accepted = api.stats().getInt("messagesIn") - before;
        assertTrue(accepted >= BURST && accepted <= BURST + RATE * (seconds + 1),
                accepted + " of " + sent + " frames accepted in " + seconds + " s");
        assertBystanderUndisturbed();
    }

    @Test
    void aClientWithinTheRateIsNeverLimited() throws InterruptedException {
        WsClient polite = herald.connect(Names.unique("polite"));
        for (int i = 0; i < BURST + 5; i++) {
            polite.sendText("{\"type\":\"ping\"}");
            polite.awaitFrame("pong", WAIT);
            Thread.sleep(1000 / (RATE - 1));
        }
        // answers to the server are not counted: pongs beyond any rate
        for (int i = 0; i < 5 * BURST; i++) {
            polite.sendText("{\"type\":\"pong\"}");
        }
        polite.sendText("{\"type\":\"ping\"}");
        polite.awaitFrame("pong", WAIT);
        polite.assertNoMessage(Duration.ofMillis(300));
        assertTrue(polite.isOpen());
    }

    @Test
    void theOldestClientOfAUidMakesWayForTheNewest() throws InterruptedException {
        String uid = Names.unique("crowd");
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS_PER_UID; i++) {
            clients.add(herald.connect(uid));
            Thread.sleep(5); // distinct connection times
        }
        String other = Names.unique("other");
        List<WsClient> others = new ArrayList<>();
        for (int i = 0; i < CLIENTS_PER_UID; i++) {
            others.add(herald.connect(other));
        }
        WsClient newest = herald.connect(uid);
        clients.get(0).assertClosedWith(4101, WAIT);
        List<String> online = JsonSupport.strings(api.get("/uids/" + uid).expect(200).object().get("clientIds"));
        assertEquals(List.of(clients.get(1).clientId(), clients.get(2).clientId(), newest.clientId()).stream().sorted().toList(),
                online.stream().sorted().toList());
        for (WsClient c : others) {
            assertTrue(c.isOpen(), "another uid's client was closed");
        }
        assertEquals(CLIENTS_PER_UID, api.get("/uids/" + other).object().getJsonArray("clientIds").size());
        assertBystanderUndisturbed();
    }

    @Test
    void aClientJoinsAtMostItsShareOfGroups() {
        WsClient joiner = herald.connect(Names.unique("joiner"));
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < GROUPS_PER_CLIENT; i++) {
            String group = Names.unique("g" + i);
            groups.add(group);
            api.joinGroup(group, joiner.clientId());
        }
        api.put("/groups/" + Names.unique("one-too-many") + "/clients/" + joiner.clientId(), JsonValue.EMPTY_JSON_OBJECT)
                .expectError(409, "too_many_groups");
        api.put("/groups/" + groups.get(0) + "/clients/" + joiner.clientId(), JsonValue.EMPTY_JSON_OBJECT)
                .expect(204); // joining a group it is in already adds nothing
        assertEquals(GROUPS_PER_CLIENT, api.get("/clients/" + joiner.clientId()).object().getJsonArray("groups").size());
        assertTrue(joiner.isOpen());

        String token = Tokens.hs256(Tokens.SECRET, Tokens.claims(Names.unique("greedy"),
                List.of("a", "b", "c", "d")).build());
        Handshake.send(herald.port(), herald.wsPath("token=" + token), null).assertRefused(403, "too_many_groups");
        assertBystanderUndisturbed();
    }

    @Test
    void tooManyConnectionsFromOneAddressAreRefusedWith429() {
        // 198.51.100.7 connects through the trusted proxy at 127.0.0.1, which names it in X-Forwarded-For
        String path = herald.wsPath(null);
        int upgraded = 0;
        Handshake.Response refused = null;
        for (int i = 0; i < 3 * CONNECTIONS_PER_ADDRESS && refused == null; i++) {
            Handshake.Response r = Handshake.send(herald.port(), path, null, "X-Forwarded-For", "198.51.100.7");
            if (r.status() == 101) {
                upgraded++;
            } else {
                refused = r;
            }
        }
        assertTrue(refused != null, "no refusal after " + upgraded + " connections");
        refused.assertRefused(429, "too_many_connections");
        assertTrue(Integer.parseInt(refused.header("Retry-After")) >= 1, refused.head());
        assertTrue(upgraded >= CONNECTIONS_PER_ADDRESS, "the burst is allowed: " + upgraded);

        // other addresses behind the same proxy, and the proxy's own clients, are not held back
        Handshake.send(herald.port(), path, null, "X-Forwarded-For", "198.51.100.8").assertUpgraded();
        herald.connect(Names.unique("after")).close();
        assertBystanderUndisturbed();
    }

    @Test
    void anUntrustedPeerCannotDodgeTheLimitWithForwardedFor() {
        String path = herald.wsPath(null);
        Handshake.Response refused = null;
        int upgraded = 0;
        for (int i = 0; i < 3 * CONNECTIONS_PER_ADDRESS && refused == null; i++) {
            // 127.0.0.2 is not a trusted proxy: its X-Forwarded-For is its own invention
            Handshake.Response r = Handshake.send(herald.port(), path, "127.0.0.2", "X-Forwarded-For", "203.0.113." + i);
            if (r.status() == 101) {
                upgraded++;
            } else {
                refused = r;
            }
        }
        assertTrue(refused != null, "no refusal after " + upgraded + " connections");
        refused.assertRefused(429, "too_many_connections");
        assertBystanderUndisturbed();
    }
}
