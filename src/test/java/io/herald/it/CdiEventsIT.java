package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static io.herald.it.support.JsonSupport.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CDI API and events: {@link GatewayEventsObserver} is deployed in the WAR, injects the Gateway and
 * observes ClientConnected, ClientMessage and ClientClosed asynchronously. Everything it does is checked
 * through WebSocket clients.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CdiEventsIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final JsonValue TEXT = Json.createValue("just a string");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-cdi.war", Deployments.baseConfig())
                .addClass(GatewayEventsObserver.class);
    }

    private static JsonObject awaitEvent(WsClient c, String event) {
        JsonObject m = c.awaitMessage(f -> f.get("data") instanceof JsonObject d
                && (event.equals(d.getString("event", null)) || "failure".equals(d.getString("event", null))), WAIT);
        JsonObject data = m.getJsonObject("data");
        assertEquals(event, data.getString("event"), "observer answer: " + data);
        return data;
    }

    /** Connects and consumes the observer's "connected" message. */
    private WsClient connectAndGreet(String uid) {
        WsClient c = herald.connect(uid);
        JsonObject hello = awaitEvent(c, "connected");
        assertEquals(c.clientId(), hello.getString("clientId"), "hello " + hello);
        return c;
    }

    @Test
    void clientConnectedReachesTheApplication() {
        String erin = Names.unique("erin");
        WsClient c = herald.connect(erin);
        JsonObject hello = awaitEvent(c, "connected");
        assertEquals(c.clientId(), hello.getString("clientId"));
        assertEquals(erin, hello.getString("uid"));

        WsClient unbound = herald.connect(null);
        JsonObject hello2 = awaitEvent(unbound, "connected");
        assertEquals(unbound.clientId(), hello2.getString("clientId"));
        assertTrue(hello2.isNull("uid"), "uid of an unbound client in ClientConnected: " + hello2);
    }

    @Test
    void clientMessageCarriesSenderUidSessionAndData() {
        String uid = Names.unique("echo");
        WsClient c = connectAndGreet(uid);
        WsClient sameUid = connectAndGreet(uid);
        JsonObject session = obj("plan", "gold", "n", 7);
        api.put("/clients/" + c.clientId() + "/session", session).expect(204);

        JsonObject data = obj("cmd", "echo", "payload", arr(1, "two", obj("three", 3), JsonValue.NULL));
        c.sendMessage(data);
        JsonObject echo = awaitEvent(c, "echo");
        assertEquals(c.clientId(), echo.getString("clientId"));
        assertEquals(uid, echo.getString("uid"));
        assertJsonEquals(session, echo.get("session"), "session in ClientMessage");
        assertJsonEquals(data, echo.get("data"), "data in ClientMessage");

        c.sendMessage(TEXT);
        assertJsonEquals(TEXT, awaitEvent(c, "echo").get("data"), "a string as data");

        sameUid.assertNoMessage(Duration.ofMillis(500));
    }

    @Test
    void gatewayBindsAndQueriesUids() {
        String uid = Names.unique("frank");
        WsClient c = connectAndGreet(null);

        c.sendMessage(obj("cmd", "bind", "uid", uid));
        JsonObject bound = awaitEvent(c, "bound");
        assertEquals(uid, bound.getString("uidOf"), "uidOf after bindUid: " + bound);
        assertTrue(bound.getBoolean("online"), "isOnline: " + bound);
        assertTrue(bound.getBoolean("uidOnline"), "isUidOnline: " + bound);
        assertEquals(List.of(c.clientId()), strings(bound.get("clientIdsOfUid")));

        assertEquals(uid, api.get("/clients/" + c.clientId()).expect(200).object().getString("uid"));
        api.sendData("/uids/" + uid + "/messages", obj("via", "rest"));
        assertJsonEquals(obj("via", "rest"), c.awaitData(WAIT));
    }

    @Test
    void gatewayJoinsGroupsAndSendsToThem() {
        String group = Names.unique("cdi-group");
        WsClient member = connectAndGreet(Names.unique("m"));
        WsClient joiner = connectAndGreet(Names.unique("j"));
        api.joinGroup(group, member.clientId());

        joiner.sendMessage(obj("cmd", "join", "group", group));
        for (WsClient c : List.of(member, joiner)) {
            JsonObject joined = awaitEvent(c, "joined");
            assertEquals(joiner.clientId(), joined.getString("clientId"));
        }
        assertEquals(2, api.get("/groups/" + group).expect(200).object().getInt("clientCount"));
    }

    @Test
    void clientClosedReachesTheApplication() {
        WsClient watcher = connectAndGreet(Names.unique("watcher"));
        api.joinGroup(GatewayEventsObserver.WATCHERS, watcher.clientId());

        String dave = Names.unique("dave");
        WsClient d = connectAndGreet(dave);
        String daveId = d.clientId();
        d.close();

        JsonObject notice = watcher.awaitMessage(m -> m.get("data") instanceof JsonObject data
                && "closed".equals(data.getString("event", null))
                && daveId.equals(data.getString("clientId", null)), WAIT).getJsonObject("data");
        assertEquals(dave, notice.getString("uid"), "uid in ClientClosed: " + notice);
        assertEquals(1000, notice.getInt("closeCode"), "close code in ClientClosed: " + notice);
    }

    @Test
    void gatewayClosesAClientWithALastMessage() {
        WsClient watcher = connectAndGreet(Names.unique("watcher"));
        api.joinGroup(GatewayEventsObserver.WATCHERS, watcher.clientId());
        String uid = Names.unique("leaver");
        WsClient c = connectAndGreet(uid);

        c.sendMessage(obj("cmd", "close"));
        awaitEvent(c, "bye");
        c.assertClosedWith(4100, WAIT);

        JsonObject notice = watcher.awaitMessage(m -> m.get("data") instanceof JsonObject data
                && "closed".equals(data.getString("event", null))
                && c.clientId().equals(data.getString("clientId", null)), WAIT).getJsonObject("data");
        assertEquals(uid, notice.getString("uid"));
        assertEquals(4100, notice.getInt("closeCode"), "close code in ClientClosed: " + notice);
    }
}
