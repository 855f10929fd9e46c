package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.RawWebSocket;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client frames: ping/pong, application messages, refused frames (error frames, close 1009 and 1003),
 * and handshakes in development mode. herald.frame.max-bytes is 4096 here. Every refusal is checked not to
 * disturb a bystander connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketProtocolIT extends ClientTest {

    private static final int FRAME_MAX = 4096;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-ws.war",
                Deployments.config("herald.frame.max-bytes", String.valueOf(FRAME_MAX)));
    }

    private WsClient bystander;

    @BeforeEach
    void setUp() {
        bystander = herald.connect(Names.unique("bystander"));
    }

    /** The bystander is still connected and still receives pushes. */
    private void assertBystanderUndisturbed() {
        assertTrue(bystander.isOpen(), "bystander was closed with " + bystander.closeCode());
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("still", "fine"));
        assertJsonEquals(obj("still", "fine"), bystander.awaitData(WAIT));
        bystander.assertNoMessage(Duration.ZERO);
    }

    /** The client is open and a push to it arrives (the connection is still usable). */
    private void assertUsable(WsClient c) {
        assertTrue(c.isOpen(), "connection closed with " + c.closeCode());
        api.sendData("/clients/" + c.clientId() + "/messages", obj("after", "error"));
        assertJsonEquals(obj("after", "error"), c.awaitData(WAIT));
    }

    private static void assertErrorFrame(JsonObject f, String code) {
        assertEquals("error", f.getString("type"));
        assertEquals(code, f.getString("code", null), "error code in " + f);
        assertTrue(f.get("message") instanceof JsonString, "error frame has a message: " + f);
    }

    // ---------------------------------------------------------------- good frames

    @Test
    void pingIsAnsweredWithPong() {
        WsClient c = herald.connect(null);
        c.sendText("{\"type\":\"ping\"}");
        c.awaitFrame("pong", WAIT);
        c.sendText("{\"type\":\"pong\"}"); // an unsolicited pong is accepted silently
        c.assertNoMessage(Duration.ofMillis(500));
        assertTrue(c.isOpen());
    }

    @Test
    void applicationMessagesAreAcceptedAndNotRelayed() {
        String uid = Names.unique("talker");
        WsClient c = herald.connect(uid);
        WsClient sameUid = herald.connect(uid);
        int in = api.stats().getInt("messagesIn");

        c.sendMessage(obj("hello", "server"));
        c.sendText("{\"type\":\"message\",\"data\":\"" + "y".repeat(FRAME_MAX - 100) + "\"}"); // under the limit

        Await.eventually(WAIT, () -> assertEquals(in + 2, api.stats().getInt("messagesIn"), "messagesIn"));
        c.assertNoMessage(Duration.ofMillis(300));
        sameUid.assertNoMessage(Duration.ZERO);
        bystander.assertNoMessage(Duration.ZERO);
        assertTrue(c.isOpen());
    }

    // ---------------------------------------------------------------- refused frames

    @Test
    void malformedJsonGetsBadJsonAndTheConnectionStaysUsable() {
        WsClient c = herald.connect(Names.unique("sloppy"));
        c.sendText("{\"type\":\"message\",");
        assertErrorFrame(c.awaitFrame("error", WAIT), "bad_json");
        assertUsable(c);
        assertBystanderUndisturbed();
    }

    @Test
    void jsonThatIsNotAnObjectGetsBadJson() {
        WsClient c = herald.connect(null);
        for (String notAnObject : List.of("[1,2,3]", "\"text\"", "42", "null")) {
            c.sendText(notAnObject);
            assertErrorFrame(c.awaitFrame("error", WAIT), "bad_json");
        }
        assertUsable(c);
    }

    @Test
    void framesWithoutAUsableTypeGetBadFrame() {
        WsClient c = herald.connect(null);
        c.sendText("{\"data\":1}");
        assertErrorFrame(c.awaitFrame("error", WAIT), "bad_frame");
        c.sendText("{\"type\":7}");
        assertErrorFrame(c.awaitFrame("error", WAIT), "bad_frame");
        c.sendText("{\"type\":null}");
        assertErrorFrame(c.awaitFrame("error", WAIT), "bad_frame");
        c.sendText("{\"type\":\"message\"}"); // a message frame needs data
        assertErrorFrame(c.awaitFrame("error", WAIT), "bad_frame");
        assertUsable(c);
    }

    @Test
    void unknownTypeGetsUnknownType() {
        WsClient c = herald.connect(null);
        c.sendText("{\"type\":\"subscribe\",\"topic\":\"x\"}");
        assertErrorFrame(c.awaitFrame("error", WAIT), "unknown_type");
        c.sendText("{\"type\":\"welcome\"}"); // a server-to-client type is not a client frame
        assertErrorFrame(c.awaitFrame("error", WAIT), "unknown_type");
        assertUsable(c);
        assertBystanderUndisturbed();
    }

    @Test
    void refusedFramesDoNotCountAsMessages() {
        WsClient c = herald.connect(null);
        int in = api.stats().getInt("messagesIn");
        c.sendText("nope");
        c.awaitFrame("error", WAIT);
        c.sendText("{\"type\":\"nope\"}");
        c.awaitFrame("error", WAIT);
        c.sendText("{\"type\":\"ping\"}");
        c.awaitFrame("pong", WAIT);
        assertEquals(in, api.stats().getInt("messagesIn"), "messagesIn counts application frames only");
    }

    @Test
    void frameOverTheLimitCloses1009() {
        WsClient c = herald.connect(Names.unique("bigmouth"));
        String data = "z".repeat(FRAME_MAX + 1000);
        c.sendText("{\"type\":\"message\",\"data\":\"" + data + "\"}");
        c.assertClosedWith(1009, WAIT);
        Await.eventually(WAIT, () -> api.get("/clients/" + c.clientId()).expectError(404, "client_not_found"));
        assertBystanderUndisturbed();
    }

    @Test
    void binaryFrameCloses1003() {
        WsClient c = herald.connect(Names.unique("binary"));
        c.sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        c.assertClosedWith(1003, WAIT);
        Await.eventually(WAIT, () -> api.get("/clients/" + c.clientId()).expectError(404, "client_not_found"));
        assertBystanderUndisturbed();
    }

    // ---------------------------------------------------------------- handshakes in development mode

    @Test
    void validHandshakeIsSwitchingProtocols() {
        RawWebSocket.HandshakeResponse r = herald.handshake("uid=" + Names.unique("raw"));
        assertEquals(101, r.status(), r.head());
        RawWebSocket.HandshakeResponse unbound = herald.handshake(null);
        assertEquals(101, unbound.status(), unbound.head());
    }

    @Test
    void malformedUidIsRefusedWith400() {
        for (String badUid : List.of("bad%20uid", "u".repeat(129), "bad!uid", "caf%C3%A9")) {
            RawWebSocket.HandshakeResponse r = herald.handshake("uid=" + badUid);
            assertEquals(400, r.status(), "handshake with uid=" + badUid + ": " + r.statusLine());
        }
        assertBystanderUndisturbed();
    }

    @Test
    void uidOf128CharactersIsAccepted() {
        String longest = "u".repeat(128);
        WsClient c = herald.connect(longest);
        assertEquals(longest, c.welcome().getString("uid"));
    }
}
