package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static io.herald.it.support.JsonSupport.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The welcome frame and every way of sending a message: to a client, a uid, a list, groups, everyone. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectAndSendIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(600);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald.war", Deployments.baseConfig());
    }

    @Test
    void welcomeFrameCarriesClientIdUidAndHeartbeat() {
        WsClient alice = herald.connect("alice");
        JsonObject w = alice.welcome();
        assertEquals("welcome", w.getString("type"));
        assertTrue(w.getString("clientId", "").matches(Names.CLIENT_ID_PATTERN), "clientId form: " + w);
        assertEquals("alice", w.getString("uid", null), "uid in " + w);
        JsonObject hb = w.getJsonObject("heartbeat");
        assertEquals(25_000, hb.getInt("interval"), "default heartbeat interval in ms: " + w);
        assertEquals(60_000, hb.getInt("timeout"), "default heartbeat timeout in ms: " + w);
    }

    @Test
    void unboundClientHasNullUid() {
        WsClient c = herald.connect(null);
        JsonObject w = c.welcome();
        assertTrue(w.containsKey("uid") && w.isNull("uid"), "welcome of an unbound client must have uid null: " + w);
        assertTrue(c.clientId().matches(Names.CLIENT_ID_PATTERN), "clientId form: " + w);
    }

    @Test
    void twoConnectionsGetDifferentClientIdsOfTheSameNode() {
        WsClient a = herald.connect("alice");
        WsClient b = herald.connect("alice");
        assertNotEquals(a.clientId(), b.clientId());
        assertEquals(Names.node(a.clientId()), Names.node(b.clientId()), "both connections are on one node");
    }

    @Test
    void sendToUidReachesEveryClientOfTheUidAndNoOneElse() {
        String alice = Names.unique("alice");
        String bob = Names.unique("bob");
        WsClient a1 = herald.connect(alice);
        WsClient a2 = herald.connect(alice);
        WsClient b = herald.connect(bob);

        JsonObject data = obj("text", "hello alice", "n", 1);
        String id = api.sendData("/uids/" + alice + "/messages", data);

        for (WsClient c : List.of(a1, a2)) {
            JsonObject m = c.awaitMessage(WAIT);
            assertEquals(id, m.getString("id", null), "message id equals the id the API returned: " + m);
            assertJsonEquals(data, m.get("data"));
        }
        b.assertNoMessage(QUIET);
        a1.assertNoMessage(Duration.ZERO);
    }

    @Test
    void dataPassesThroughUnchanged() {
        String uid = Names.unique("data");
        WsClient c = herald.connect(uid);
        List<JsonValue> values = List.of(
                parse("{\"nested\":{\"list\":[1,2.5,-3e-2,true,false,null],\"unicode\":\"h\u00e9ll\u00f6 \u2603 \\\"quoted\\\" \\n\"},\"empty\":{}}"),
                parse("\"just a string\""),
                parse("42"),
                parse("-12345678901234567890.125"),
                parse("[1,\"two\",{\"three\":3},[]]"),
                JsonValue.TRUE,
                JsonValue.EMPTY_JSON_OBJECT,
                JsonValue.EMPTY_JSON_ARRAY);
        for (JsonValue v : values) {
            api.sendData("/uids/" + uid + "/messages", v);
        }
        for (JsonValue v : values) {
            assertJsonEquals(v, c.awaitData(WAIT), "data passed through");
        }
    }

    @Test
    void sendToClientReachesOnlyThatClient() {
        String uid = Names.unique("carl");
        WsClient c1 = herald.connect(uid);
        WsClient c2 = herald.connect(uid);

        String id = api.sendData("/clients/" + c1.clientId() + "/messages", arr("for", "c1"));
        JsonObject m = c1.awaitMessage(WAIT);
        assertEquals(id, m.getString("id", null));
        assertJsonEquals(arr("for", "c1"), m.get("data"));
        c2.assertNoMessage(QUIET);
    }

    @Test
    void sendToUnknownOrClosedClientIs404() {
        api.post("/clients/zzzzzzzzzz-zzzz/messages", obj("data", 1)).expectError(404, "client_not_found");

        WsClient c = herald.connect(null);
        String id = c.clientId();
        c.close();
        Await.eventually(Duration.ofSeconds(5), () ->
                api.post("/clients/" + id + "/messages", obj("data", 1)).expectError(404, "client_not_found"));
    }

    @Test
    void malformedClientIdIs400() {
        api.post("/clients/" + Api.seg("not a client") + "/messages", obj("data", 1)).expectError(400, "bad_client_id");
    }

    @Test
    void sendToListDeliversOnceToEachAddressedClient() {
        String u1 = Names.unique("u1");
        String u2 = Names.unique("u2");
        String u3 = Names.unique("u3");
        String group = Names.unique("list-group");
        WsClient c1 = herald.connect(u1);
        WsClient c2 = herald.connect(u2);
        WsClient c3 = herald.connect(u3);
        api.joinGroup(group, c1.clientId());

        // c1 is addressed four times: twice by clientId, by its uid and by its group
        JsonObject body = obj(
                "to", obj("clients", arr(c1.clientId(), c1.clientId()), "uids", arr(u1, u2), "groups", arr(group)),
                "data", obj("list", true));
        String id = api.post("/messages", body).expect(202).object().getString("id");

        for (WsClient c : List.of(c1, c2)) {
            JsonObject m = c.awaitMessage(WAIT);
            assertEquals(id, m.getString("id", null));
            assertJsonEquals(obj("list", true), m.get("data"));
        }
        c1.assertNoMessage(QUIET);
        c2.assertNoMessage(Duration.ZERO);
        c3.assertNoMessage(Duration.ZERO);
    }

    @Test
    void sendToListHonoursExclude() {
        String group = Names.unique("ex-group");
        WsClient c1 = herald.connect(Names.unique("ex1"));
        WsClient c2 = herald.connect(Names.unique("ex2"));
        WsClient c3 = herald.connect(Names.unique("ex3"));
        api.joinGroup(group, c3.clientId());
        api.post("/messages", obj("to", obj("clients", arr(c1.clientId(), c2.clientId()), "groups", arr(group)),
                "data", "not for c2 and c3", "exclude", arr(c2.clientId(), c3.clientId()))).expect(202);
        assertJsonEquals(parse("\"not for c2 and c3\""), c1.awaitData(WAIT));
        c2.assertNoMessage(QUIET);
        c3.assertNoMessage(Duration.ZERO);
    }

    @Test
    void sendToGroupWithExclude() {
        String group = Names.unique("room");
        WsClient a = herald.connect(Names.unique("ga"));
        WsClient b = herald.connect(Names.unique("gb"));
        WsClient c = herald.connect(Names.unique("gc"));
        WsClient outsider = herald.connect(Names.unique("go"));
        for (WsClient m : List.of(a, b, c)) {
            api.joinGroup(group, m.clientId());
        }

        String id = api.post("/groups/" + group + "/messages", obj("data", 1)).expect(202).object().getString("id");
        for (WsClient m : List.of(a, b, c)) {
            JsonObject f = m.awaitMessage(WAIT);
            assertEquals(id, f.getString("id", null));
        }

        api.post("/groups/" + group + "/messages", obj("data", 2, "exclude", arr(b.clientId()))).expect(202);
        assertJsonEquals(parse("2"), a.awaitData(WAIT));
        assertJsonEquals(parse("2"), c.awaitData(WAIT));
        b.assertNoMessage(QUIET);
        outsider.assertNoMessage(Duration.ZERO);
    }

    @Test
    void sendToGroupsDeliversOncePerClient() {
        String g1 = Names.unique("g1");
        String g2 = Names.unique("g2");
        WsClient both = herald.connect(Names.unique("both"));
        WsClient only2 = herald.connect(Names.unique("only2"));
        WsClient excluded = herald.connect(Names.unique("excluded"));
        WsClient none = herald.connect(Names.unique("none"));
        api.joinGroup(g1, both.clientId());
        api.joinGroup(g2, both.clientId());
        api.joinGroup(g2, only2.clientId());
        api.joinGroup(g1, excluded.clientId());

        api.post("/messages", obj("to", obj("groups", arr(g1, g2)), "data", "groups",
                "exclude", arr(excluded.clientId()))).expect(202);
        assertJsonEquals(parse("\"groups\""), both.awaitData(WAIT));
        assertJsonEquals(parse("\"groups\""), only2.awaitData(WAIT));
        both.assertNoMessage(QUIET);
        excluded.assertNoMessage(Duration.ZERO);
        none.assertNoMessage(Duration.ZERO);
    }

    @Test
    void broadcastReachesEveryoneButTheExcluded() {
        WsClient a = herald.connect(Names.unique("ba"));
        WsClient b = herald.connect(null);
        WsClient c = herald.connect(Names.unique("bc"));

        String id = api.post("/broadcast", obj("data", obj("all", 1))).expect(202).object().getString("id");
        for (WsClient x : List.of(a, b, c)) {
            JsonObject m = x.awaitMessage(WAIT);
            assertEquals(id, m.getString("id", null));
            assertJsonEquals(obj("all", 1), m.get("data"));
        }

        api.post("/broadcast", obj("data", obj("all", 2), "exclude", arr(c.clientId()))).expect(202);
        assertJsonEquals(obj("all", 2), a.awaitData(WAIT));
        assertJsonEquals(obj("all", 2), b.awaitData(WAIT));
        c.assertNoMessage(QUIET);
    }

    @Test
    void messagesToOneClientArriveInOrderWithDistinctIds() {
        WsClient c = herald.connect(Names.unique("order"));
        int n = 50;
        for (int i = 0; i < n; i++) {
            api.sendData("/clients/" + c.clientId() + "/messages", obj("seq", i));
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            JsonObject m = c.awaitMessage(WAIT);
            assertEquals(i, m.getJsonObject("data").getInt("seq"), "order of messages");
            assertTrue(ids.add(m.getString("id")), "message ids are distinct: " + m);
        }
    }

    @Test
    void sendToAnOfflineUidOrAnEmptyGroupIsAccepted() {
        api.post("/uids/" + Names.unique("nobody") + "/messages", obj("data", 1)).expect(202);
        api.post("/groups/" + Names.unique("empty") + "/messages", obj("data", 1)).expect(202);
    }
}
