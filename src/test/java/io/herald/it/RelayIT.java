package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client-to-client messages under the policy {@code uids,groups-member}: a client may send to any uid and
 * into the groups it is in, nowhere else. The recipients learn the sender's uid from the server, never
 * from the sender, and the application sees every send as a ClientMessage event.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(500);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-relay.war", Deployments.config("herald.relay.policy", "uids,groups-member"))
                .addClass(RelayEventsObserver.class);
    }

    private WsClient watcher;
    private WsClient bystander;

    @BeforeEach
    void setUp() {
        watcher = herald.connect(Names.unique("watcher"));
        api.joinGroup(RelayEventsObserver.WATCHERS, watcher.clientId());
        bystander = herald.connect(Names.unique("bystander"));
    }

    private static JsonObject send(String targetKind, String target, Object data) {
        return obj("type", "send", "to", obj(targetKind, target), "data", data);
    }

    /** The application's view of the next send frame. */
    private JsonObject awaitEvent() {
        JsonObject event = watcher.awaitMessage(WAIT).getJsonObject("data");
        assertEquals("send", event.getString("event"), "observer report: " + event);
        return event;
    }

    private void assertNoError(WsClient c) {
        c.assertNoMessage(QUIET);
    }

    @Test
    void aMessageToAUidReachesAllItsClientsFromTheSender() {
        String alice = Names.unique("alice");
        String bob = Names.unique("bob");
        WsClient sender = herald.connect(alice);
        WsClient bobPhone = herald.connect(bob);
        WsClient bobLaptop = herald.connect(bob);

        sender.sendJson(send("uid", bob, obj("text", "hi bob")));
        for (WsClient recipient : new WsClient[] {bobPhone, bobLaptop}) {
            JsonObject m = recipient.awaitMessage(WAIT);
            assertEquals(alice, m.getString("from"), "from is the sender's uid: " + m);
            assertJsonEquals(obj("uid", bob), m.get("to"));
            assertJsonEquals(obj("text", "hi bob"), m.get("data"));
            assertTrue(m.getString("id").length() > 0);
        }
        JsonObject event = awaitEvent();
        assertEquals(sender.clientId(), event.getString("clientId"));
        assertEquals(alice, event.getString("uid"));
        assertTrue(event.getBoolean("relayed"));
        assertNoError(sender);
        bystander.assertNoMessage(Duration.ZERO);
    }

    @Test
    void aSenderCannotClaimToBeSomeoneElse() {
        String mallory = Names.unique("mallory");
        String bob = Names.unique("bob");
        WsClient sender = herald.connect(mallory);
        WsClient recipient = herald.connect(bob);

        JsonObject spoofed = obj("type", "send", "to", obj("uid", bob), "data", obj("from", "the-boss"),
                "from", "the-boss", "id", "forged-id", "uid", "the-boss");
        sender.sendJson(spoofed);
        JsonObject m = recipient.awaitMessage(WAIT);
        assertEquals(mallory, m.getString("from"), "the server sets from: " + m);
        assertFalse(m.getString("id").equals("forged-id"), "the server sets the id: " + m);
        assertJsonEquals(obj("from", "the-boss"), m.get("data"), "data is passed through as it is");
        assertEquals(mallory, awaitEvent().getString("uid"));
    }

    @Test
    void aMemberMaySendIntoItsGroupButNotIntoOthers() {
        String room = Names.unique("room");
        String elsewhere = Names.unique("elsewhere");
        WsClient member = herald.connect(Names.unique("member"));
        WsClient peer = herald.connect(Names.unique("peer"));
        WsClient outsider = herald.connect(Names.unique("outsider"));
        api.joinGroup(room, member.clientId());
        api.joinGroup(room, peer.clientId());
        api.joinGroup(elsewhere, outsider.clientId());

        member.sendJson(send("group", room, "hello room"));
        JsonObject m = peer.awaitMessage(WAIT);
        assertEquals(member.welcome().getString("uid"), m.getString("from"));
        assertJsonEquals(obj("group", room), m.get("to"));
        assertTrue(awaitEvent().getBoolean("relayed"));
        member.assertNoMessage(QUIET); // the sender does not get its own message back

        member.sendJson(send("group", elsewhere, "let me in"));
        JsonObject error = member.awaitFrame("error", WAIT);
        assertEquals("relay_forbidden", error.getString("code"), "error: " + error);
        JsonObject event = awaitEvent();
        assertFalse(event.getBoolean("relayed"), "the application still hears of it: " + event);
        assertJsonEquals(obj("group", elsewhere), event.get("to"));
        outsider.assertNoMessage(QUIET);
        peer.assertNoMessage(Duration.ZERO);
        bystander.assertNoMessage(Duration.ZERO);
        assertTrue(member.isOpen(), "a refused relay does not close the sender");
    }

    @Test
    void anUnboundClientCannotSendToOthers() {
        String bob = Names.unique("bob");
        WsClient recipient = herald.connect(bob);
        WsClient unbound = herald.connect(null);
        unbound.sendJson(send("uid", bob, "who am I?"));
        assertEquals("not_bound", unbound.awaitFrame("error", WAIT).getString("code"));
        JsonObject event = awaitEvent();
        assertTrue(event.isNull("uid") && !event.getBoolean("relayed"), "event: " + event);
        recipient.assertNoMessage(QUIET);
    }

    @Test
    void malformedSendFramesAreRefused() {
        WsClient sender = herald.connect(Names.unique("sloppy"));
        sender.sendJson(obj("type", "send", "data", 1));
        assertEquals("bad_frame", sender.awaitFrame("error", WAIT).getString("code"));
        sender.sendJson(obj("type", "send", "to", obj("uid", "a", "group", "b"), "data", 1));
        assertEquals("bad_frame", sender.awaitFrame("error", WAIT).getString("code"));
        sender.sendJson(obj("type", "send", "to", obj("uid", "bob")));
        assertEquals("bad_frame", sender.awaitFrame("error", WAIT).getString("code"));
        sender.sendJson(send("uid", "no spaces", 1));
        assertEquals("bad_uid", sender.awaitFrame("error", WAIT).getString("code"));
        sender.sendJson(send("group", "no#hash", 1));
        assertEquals("bad_group", sender.awaitFrame("error", WAIT).getString("code"));
        assertTrue(sender.isOpen());
        watcher.assertNoMessage(QUIET); // malformed frames reach no one, not even the application
        bystander.assertNoMessage(Duration.ZERO);
    }
}
