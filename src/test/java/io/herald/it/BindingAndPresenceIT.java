package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static io.herald.it.support.JsonSupport.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Binding uids over REST, presence queries, statistics and closing clients from the backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BindingAndPresenceIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(600);
    private static final List<String> STATS_FIELDS = List.of("clients", "uids", "groups", "messagesIn",
            "messagesOut", "sendFailures", "slowConsumerCloses", "heartbeatCloses");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald.war", Deployments.baseConfig());
    }

    private JsonObject uidInfo(String uid) {
        return api.get("/uids/" + uid).expect(200).object();
    }

    private JsonObject clientInfo(String clientId) {
        return api.get("/clients/" + clientId).expect(200).object();
    }

    // ---------------------------------------------------------------- binding

    @Test
    void bindAnUnboundClientOverRest() {
        String dora = Names.unique("dora");
        WsClient c = herald.connect(null);
        assertTrue(clientInfo(c.clientId()).isNull("uid"), "an unbound client has uid null");

        api.put("/clients/" + c.clientId() + "/uid", obj("uid", dora)).expect(204);

        assertEquals(dora, clientInfo(c.clientId()).getString("uid", null));
        JsonObject info = uidInfo(dora);
        assertEquals(dora, info.getString("uid"));
        assertTrue(info.getBoolean("online"), "uid online: " + info);
        assertEquals(List.of(c.clientId()), strings(info.get("clientIds")));

        api.sendData("/uids/" + dora + "/messages", JsonValue.TRUE);
        assertJsonEquals(JsonValue.TRUE, c.awaitData(WAIT));
    }

    @Test
    void rebindMovesTheClientToTheNewUid() {
        String alice = Names.unique("alice");
        String carol = Names.unique("carol");
        WsClient c = herald.connect(alice);
        WsClient otherAlice = herald.connect(alice);

        api.put("/clients/" + c.clientId() + "/uid", obj("uid", carol)).expect(204);

        api.sendData("/uids/" + alice + "/messages", obj("to", "alice"));
        assertJsonEquals(obj("to", "alice"), otherAlice.awaitData(WAIT));
        c.assertNoMessage(QUIET);

        api.sendData("/uids/" + carol + "/messages", obj("to", "carol"));
        assertJsonEquals(obj("to", "carol"), c.awaitData(WAIT));

        assertEquals(List.of(otherAlice.clientId()), strings(uidInfo(alice).get("clientIds")));
        assertEquals(List.of(c.clientId()), strings(uidInfo(carol).get("clientIds")));
        assertEquals(carol, clientInfo(c.clientId()).getString("uid", null));
    }

    @Test
    void unbindDetachesTheClientFromItsUid() {
        String erin = Names.unique("erin");
        WsClient c = herald.connect(erin);

        api.delete("/clients/" + c.clientId() + "/uid").expect(204);

        assertTrue(clientInfo(c.clientId()).isNull("uid"), "uid after unbind");
        JsonObject info = uidInfo(erin);
        assertFalse(info.getBoolean("online"), "uid offline after unbind: " + info);
        assertEquals(List.of(), strings(info.get("clientIds")));
        api.sendData("/uids/" + erin + "/messages", obj("x", 1));
        c.assertNoMessage(QUIET);
        assertTrue(c.isOpen(), "unbinding does not close the connection");
    }

    @Test
    void closingAClientUnbindsIt() {
        String fred = Names.unique("fred");
        WsClient c = herald.connect(fred);
        assertTrue(uidInfo(fred).getBoolean("online"));
        c.close();
        Await.eventually(WAIT, () -> {
            JsonObject info = uidInfo(fred);
            assertFalse(info.getBoolean("online"), "online after close: " + info);
            assertEquals(List.of(), strings(info.get("clientIds")));
        });
    }

    @Test
    void bindingAnUnknownClientIs404() {
        api.put("/clients/zzzzzzzzzz-zzzz/uid", obj("uid", "someone")).expectError(404, "client_not_found");
    }

    @Test
    void unknownUidIsOffline() {
        String nobody = Names.unique("nobody");
        JsonObject info = uidInfo(nobody);
        assertEquals(nobody, info.getString("uid"));
        assertFalse(info.getBoolean("online"));
        assertEquals(List.of(), strings(info.get("clientIds")));
    }

    // ---------------------------------------------------------------- presence

    @Test
    void clientPresenceShowsUidGroupsAndSession() {
        String gina = Names.unique("gina");
        String g1 = Names.unique("p1");
        String g2 = Names.unique("p2");
        WsClient c = herald.connect(gina);
        api.joinGroup(g1, c.clientId());
        api.joinGroup(g2, c.clientId());
        JsonObject session = obj("role", "admin", "n", 3);
        api.put("/clients/" + c.clientId() + "/session", session).expect(204);

        JsonObject info = clientInfo(c.clientId());
        assertEquals(c.clientId(), info.getString("clientId"));
        assertEquals(gina, info.getString("uid"));
        assertEquals(Set.of(g1, g2), Set.copyOf(strings(info.get("groups"))));
        assertJsonEquals(session, info.get("session"));

        c.close();
        Await.eventually(WAIT, () -> api.get("/clients/" + c.clientId()).expectError(404, "client_not_found"));
    }

    @Test
    void aClientIsAddressableAsSoonAsItHasItsWelcome() {
        // the backend acts on a clientId the browser hands it right after the welcome (GatewayWorker's flow)
        for (int i = 0; i < 30; i++) {
            WsClient c = herald.connect(null);
            api.get("/clients/" + c.clientId()).expect(200);
            api.put("/clients/" + c.clientId() + "/uid", obj("uid", Names.unique("early"))).expect(204);
            c.close();
        }
    }

    @Test
    void uidPresenceListsAllItsClients() {
        String hal = Names.unique("hal");
        WsClient a = herald.connect(hal);
        WsClient b = herald.connect(hal);
        JsonObject info = uidInfo(hal);
        assertTrue(info.getBoolean("online"));
        assertEquals(Set.of(a.clientId(), b.clientId()), Set.copyOf(strings(info.get("clientIds"))));
        assertEquals(2, info.getJsonArray("clientIds").size());

        a.close();
        Await.eventually(WAIT, () -> assertEquals(List.of(b.clientId()), strings(uidInfo(hal).get("clientIds")),
                "clients of the uid after one of two closed (the other is " + (b.isOpen() ? "open" : "closed with "
                        + b.closeCode()) + ")"));
    }

    // ---------------------------------------------------------------- statistics

    @Test
    void statsHaveEveryField() {
        JsonObject s = api.stats();
        for (String f : STATS_FIELDS) {
            assertTrue(s.containsKey(f) && s.get(f).getValueType() == JsonValue.ValueType.NUMBER,
                    "stats field " + f + " in " + s);
        }
    }

    @Test
    void statsCountsMoveAsClientsComeAndGo() {
        // settle: earlier tests' clients are closed
        Await.eventually(WAIT, () -> assertEquals(0, api.stats().getInt("clients"), "clients at start"));
        JsonObject before = api.stats();
        int uids = before.getInt("uids");
        int groups = before.getInt("groups");

        String ivan = Names.unique("ivan");
        WsClient a = herald.connect(ivan);
        WsClient b = herald.connect(ivan);
        WsClient unbound = herald.connect(null);
        Await.eventually(WAIT, () -> {
            JsonObject s = api.stats();
            assertEquals(3, s.getInt("clients"), "clients: " + s);
            assertEquals(uids + 1, s.getInt("uids"), "uids: " + s);
        });

        String group = Names.unique("stats");
        api.joinGroup(group, a.clientId());
        api.joinGroup(group, unbound.clientId());
        assertEquals(groups + 1, api.stats().getInt("groups"), "groups after a join");

        int in = api.stats().getInt("messagesIn");
        a.sendMessage(obj("hi", 1));
        a.sendMessage(obj("hi", 2));
        Await.eventually(WAIT, () -> assertEquals(in + 2, api.stats().getInt("messagesIn"), "messagesIn"));

        int out = api.stats().getInt("messagesOut");
        api.sendData("/uids/" + ivan + "/messages", obj("x", 1));
        a.awaitMessage(WAIT);
        b.awaitMessage(WAIT);
        Await.eventually(WAIT, () -> assertTrue(api.stats().getInt("messagesOut") >= out + 2,
                "messagesOut grows by the frames handed to clients"));

        a.close();
        b.close();
        Await.eventually(WAIT, () -> {
            JsonObject s = api.stats();
            assertEquals(1, s.getInt("clients"), "clients: " + s);
            assertEquals(uids, s.getInt("uids"), "uids: " + s);
            assertEquals(groups + 1, s.getInt("groups"), "the group still has the unbound client: " + s);
        });
        unbound.close();
        Await.eventually(WAIT, () -> {
            JsonObject s = api.stats();
            assertEquals(0, s.getInt("clients"), "clients: " + s);
            assertEquals(groups, s.getInt("groups"), "an empty group does not exist: " + s);
        });
    }

    // ---------------------------------------------------------------- closing from the backend

    @Test
    void closeClientSendsQueuedFramesThenTheLastMessageThenCloses4100() {
        WsClient c = herald.connect(Names.unique("jane"));
        WsClient other = herald.connect(Names.unique("jack"));
        for (int i = 1; i <= 3; i++) {
            api.sendData("/clients/" + c.clientId() + "/messages", obj("seq", i));
        }
        api.delete("/clients/" + c.clientId(), obj("data", obj("bye", true))).expect(204);

        for (int i = 1; i <= 3; i++) {
            assertEquals(i, c.awaitData(WAIT).asJsonObject().getInt("seq"), "queued messages come first");
        }
        assertJsonEquals(obj("bye", true), c.awaitData(WAIT), "the last message");
        c.assertClosedWith(4100, WAIT);
        Await.eventually(WAIT, () -> api.get("/clients/" + c.clientId()).expectError(404, "client_not_found"));
        assertTrue(other.isOpen(), "other clients stay connected");
    }

    @Test
    void closeClientWithoutBodyCloses4100() {
        WsClient c = herald.connect(null);
        api.delete("/clients/" + c.clientId()).expect(204);
        c.assertClosedWith(4100, WAIT);
        c.assertNoMessage(Duration.ZERO);
    }

    @Test
    void closingAnUnknownClientIs404() {
        api.delete("/clients/zzzzzzzzzz-zzzz").expectError(404, "client_not_found");
    }

    @Test
    void closeAllClientsOfAUid() {
        String kim = Names.unique("kim");
        WsClient k1 = herald.connect(kim);
        WsClient k2 = herald.connect(kim);
        WsClient other = herald.connect(Names.unique("lee"));

        JsonObject r = api.delete("/uids/" + kim + "/clients").expect(200).object();
        assertEquals(2, r.getInt("closed"), "closed count in " + r);
        k1.assertClosedWith(4100, WAIT);
        k2.assertClosedWith(4100, WAIT);
        assertTrue(other.isOpen(), "a client of another uid stays open");
        Await.eventually(WAIT, () -> assertFalse(uidInfo(kim).getBoolean("online")));

        JsonObject again = api.delete("/uids/" + kim + "/clients").expect(200).object();
        assertEquals(0, again.getInt("closed"), "nothing left to close: " + again);
    }
}
