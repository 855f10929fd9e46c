package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.ChannelClient;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.RawWebSocket;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The backend channel ({@code /api/ws}): REST's operations as frames on one WebSocket, each answered with its
 * request's id and the same status and body as its REST twin. The deployment's limits are small so that they
 * can be reached: one request in flight, 8 KiB frames, a heartbeat of 1 s with a timeout of 3 s.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackendChannelIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String READER = "reader-key";
    private static final int MAX_BODY = 8192;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-channel.war", Deployments.config(
                "herald.api.keys", String.join(",", Herald.KEY, READER + ":query"),
                "herald.api.channel.max-in-flight", "1",
                "herald.api.max-body-bytes", String.valueOf(MAX_BODY),
                "herald.heartbeat.interval-seconds", "1",
                "herald.heartbeat.timeout-seconds", "3"));
    }

    private static JsonObject request(Object id, String method, String path, JsonObject body) {
        return body == null ? obj("id", id, "method", method, "path", path)
                : obj("id", id, "method", method, "path", path, "body", body);
    }

    /** Sends one request and returns its answer, checking that the answer carries its id. */
    private static JsonObject ask(ChannelClient channel, String method, String path, JsonObject body) {
        String id = "r-" + System.nanoTime();
        channel.send(request(id, method, path, body));
        JsonObject answer = channel.awaitAnswer(WAIT);
        assertEquals(id, answer.getString("id"), "the answer's id: " + answer);
        return answer;
    }

    /** The channel's answer and the REST twin's response have the same status and body. */
    private static void assertTwins(Api.Response rest, JsonObject answer) {
        assertEquals(rest.status(), answer.getInt("status"), "status of " + rest.request() + ": " + answer);
        if (rest.body().isEmpty()) {
            assertFalse(answer.containsKey("body"), "no body, as REST: " + answer);
        } else {
            assertJsonEquals(rest.json(), answer.get("body"), rest.request());
        }
    }

    private static void assertError(JsonObject answer, int status, String code) {
        assertEquals(status, answer.getInt("status"), answer.toString());
        assertEquals(code, answer.getJsonObject("body").getString("code"), answer.toString());
    }

    @Test
    @Order(1)
    void aBackendWithoutAKnownKeyIsRefusedBeforeTheUpgrade() {
        String path = herald.contextPath() + "/api/ws";
        RawWebSocket.HandshakeResponse none = RawWebSocket.handshake(herald.port(), path);
        assertEquals(401, none.status(), none.head());
        RawWebSocket.HandshakeResponse wrong = RawWebSocket.handshake(herald.port(), path, "Authorization: Bearer nope");
        assertEquals(401, wrong.status(), wrong.head());
        assertTrue(wrong.head().toLowerCase().contains("www-authenticate: bearer"), wrong.head());
        herald.api(null).get("/ws").expectError(401, "unauthorized");
        api.get("/ws").expectError(426, "upgrade_required");
        assertEquals(101, RawWebSocket.handshake(herald.port(), path, "Authorization: Bearer " + Herald.KEY).status());
    }

    @Test
    @Order(2)
    void eachOperationAnswersAsItsRestTwin() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            String uid = Names.unique("alice");
            WsClient alice = herald.connect(uid);
            String cid = alice.clientId();

            JsonObject durable = ask(channel, "POST", "/uids/" + uid + "/messages", obj("data", obj("n", 1)));
            assertEquals(202, durable.getInt("status"), durable.toString());
            long seq = durable.getJsonObject("body").getJsonNumber("seq").longValue();
            // answered after the commit: the store has it as soon as the answer is here
            JsonObject stored = api.get("/uids/" + uid + "/messages?since=" + (seq - 1)).expect(200).object();
            assertEquals(seq, stored.getJsonArray("messages").getJsonObject(0).getJsonNumber("seq").longValue());
            assertEquals(obj("n", 1), alice.awaitData(WAIT));
            api.post("/uids/" + uid + "/messages", obj("data", obj("n", 2))).expect(202);
            assertEquals(obj("n", 2), alice.awaitData(WAIT));

            JsonObject ephemeral = ask(channel, "POST", "/uids/" + uid + "/messages", obj("data", "now", "durable", false));
            assertEquals(202, ephemeral.getInt("status"));
            assertFalse(ephemeral.getJsonObject("body").containsKey("seq"), ephemeral.toString());
            JsonObject now = alice.awaitMessage(WAIT);
            assertEquals(JsonValue.ValueType.STRING, now.get("data").getValueType(), now.toString());

            assertEquals(204, ask(channel, "PUT", "/groups/room%3A1/clients/" + cid, null).getInt("status"));
            assertEquals(202, ask(channel, "POST", "/groups/room%3A1/messages", obj("data", "to the room")).getInt("status"));
            assertEquals("to the room", ((jakarta.json.JsonString) alice.awaitData(WAIT)).getString());
            assertEquals(204, ask(channel, "PATCH", "/clients/" + cid + "/session", obj("color", "blue")).getInt("status"));

            for (String path : List.of("/uids/" + uid, "/uids/" + uid + "/messages?since=0&limit=10", "/groups/room%3A1",
                    "/clients/" + cid, "/clients/" + cid + "/session", "/uids?limit=5", "/groups")) {
                assertTwins(api.get(path), ask(channel, "GET", path, null));
            }
            // errors: a bad name, an unknown path, a wrong method, a missing body, a missing scope
            assertTwins(api.post("/uids/bad%20name/messages", obj("data", 1)),
                    ask(channel, "POST", "/uids/bad%20name/messages", obj("data", 1)));
            assertError(ask(channel, "POST", "/uids/bad%20name/messages", obj("data", 1)), 400,
                    api.post("/uids/bad%20name/messages", obj("data", 1)).object().getString("code"));
            assertEquals(404, api.get("/nothing/here").status());
            assertError(ask(channel, "GET", "/nothing/here", null), 404, "not_found");
            assertEquals(405, api.send("DELETE", "/broadcast", null).status());
            assertError(ask(channel, "DELETE", "/broadcast", null), 405, "method_not_allowed");
            assertTwins(api.send("POST", "/broadcast", ""), ask(channel, "POST", "/broadcast", null));
            assertTwins(api.post("/clients/0000000000-zz/messages", obj("data", 1)),
                    ask(channel, "POST", "/clients/0000000000-zz/messages", obj("data", 1)));
            try (ChannelClient reader = herald.channel(READER)) {
                assertTwins(api.withKey(READER).post("/broadcast", obj("data", 1)),
                        ask(reader, "POST", "/broadcast", obj("data", 1)));
                assertEquals(200, ask(reader, "GET", "/stats", null).getInt("status"));
            }
            assertEquals(200, ask(channel, "DELETE", "/uids/" + uid + "/clients", null).getInt("status"));
            assertEquals(4100, alice.awaitClose(WAIT));
        }
    }

    @Test
    @Order(3)
    void aFrameThatCannotBeReadIsAnsweredWithoutAnId() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            channel.sendText("{not json");
            JsonObject answer = channel.awaitAnswer(WAIT);
            assertEquals(JsonValue.NULL, answer.get("id"));
            assertError(answer, 400, "bad_json");
            for (String frame : List.of("[]", "42", "{\"method\":\"GET\",\"path\":\"/stats\"}",
                    "{\"id\":\"" + "x".repeat(65) + "\",\"method\":\"GET\",\"path\":\"/stats\"}", "[7]")) {
                channel.sendText(frame);
                JsonObject refused = channel.awaitAnswer(WAIT);
                assertEquals(JsonValue.NULL, refused.get("id"), frame + " → " + refused);
                assertError(refused, 400, "bad_request");
            }
            channel.send(obj("id", 5, "method", "GET", "path", 7));
            assertError(channel.awaitAnswer(WAIT), 400, "bad_request");
            channel.send(obj("id", 6, "method", "POST", "path", "/broadcast", "body", arr(1)));
            assertError(channel.awaitAnswer(WAIT), 400, "bad_json");
            assertTrue(channel.isOpen(), "bad requests do not close the channel");
        }
    }

    @Test
    @Order(4)
    void requestsInOneFrameAreAnsweredTogether() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            String uid = Names.unique("bob");
            WsClient bob = herald.connect(uid);
            channel.send(arr(
                    request(1, "POST", "/uids/" + uid + "/messages", obj("data", "a", "durable", false)),
                    request("two", "POST", "/clients/" + bob.clientId() + "/messages", obj("data", "b")),
                    request(3, "GET", "/uids/" + uid, null)));
            List<JsonObject> answers = channel.awaitAnswers(3, WAIT);
            assertEquals(1, channel.frames(), "three answers ready at once leave in one frame: " + answers);
            Map<String, Integer> statuses = new HashMap<>();
            answers.forEach(a -> statuses.put(a.get("id").toString(), a.getInt("status")));
            assertEquals(Map.of("1", 202, "\"two\"", 202, "3", 200), statuses);
            assertEquals("a", ((jakarta.json.JsonString) bob.awaitData(WAIT)).getString());
            assertEquals("b", ((jakarta.json.JsonString) bob.awaitData(WAIT)).getString());
        }
    }

    /** One request may be in flight: a frame of durable pushes gets 429 for those past the first unanswered one. */
    @Test
    @Order(5)
    void requestsBeyondTheInFlightLimitAreRefusedAndNotDone() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            String uid = Names.unique("flight");
            int n = 30;
            Object[] requests = new Object[n];
            for (int i = 0; i < n; i++) {
                requests[i] = request(i, "POST", "/uids/" + uid + "/messages", obj("data", i));
            }
            channel.send(arr(requests));
            Set<Integer> accepted = new HashSet<>();
            int refused = 0;
            for (JsonObject answer : channel.awaitAnswers(n, WAIT)) {
                int id = answer.getInt("id");
                if (answer.getInt("status") == 202) {
                    accepted.add(id);
                } else {
                    assertError(answer, 429, "too_many_in_flight");
                    refused++;
                }
            }
            assertTrue(refused > 0, "with one request in flight, a frame of 30 durable pushes meets the limit");
            for (int i = 0; i < n; i++) {
                assertEquals(1, channel.answersFor(String.valueOf(i)), "request " + i + " answered once");
            }
            Set<Integer> stored = new HashSet<>();
            for (JsonValue message : api.get("/uids/" + uid + "/messages?limit=100").expect(200).object()
                    .getJsonArray("messages")) {
                stored.add(message.asJsonObject().getInt("data"));
            }
            assertEquals(accepted, stored, "exactly the accepted pushes are stored");
        }
    }

    @Test
    @Order(6)
    void aFrameOverTheBodyLimitClosesWith1009() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            channel.send(request(1, "POST", "/broadcast", obj("data", "x".repeat(MAX_BODY))));
            assertEquals(1009, channel.awaitClose(WAIT));
        }
    }

    @Test
    @Order(7)
    void aSilentChannelIsPingedAndOneThatNeverAnswersIsClosed() throws Exception {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            Thread.sleep(4500); // past the 3 s timeout: the JDK's pongs keep it open
            assertTrue(channel.isOpen(), "a channel that answers pings stays open");
            assertTrue(channel.pings() >= 1, "pinged while silent: " + channel.pings());
        }
        try (RawWebSocket raw = RawWebSocket.open(herald.port(), herald.contextPath() + "/api/ws", 0,
                "Authorization: Bearer " + Herald.KEY)) {
            RawWebSocket.Frame frame;
            int pings = 0;
            while ((frame = raw.readFrame()).opcode() != 0x8) {
                assertEquals(0x9, frame.opcode(), "only pings on a silent channel");
                pings++;
            }
            assertTrue(pings >= 1);
            assertEquals(4000, frame.closeCode());
        }
    }

    /** Last: the node drains, which the other tests must not see (it is undone afterwards). */
    @Test
    @Order(8)
    void aDrainAnswersWhatWasAcceptedThenCloses1012() {
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            channel.send(request("last", "POST", "/uids/drained/messages", obj("data", "kept")));
            api.send("POST", "/node/drain", null).expect(202);
            assertEquals(1012, channel.awaitClose(WAIT));
            assertEquals(1, channel.answersFor("\"last\""));
            assertEquals(503, RawWebSocket.handshake(herald.port(), herald.contextPath() + "/api/ws",
                    "Authorization: Bearer " + Herald.KEY).status());
        } finally {
            api.delete("/node/drain").expect(200);
        }
        assertEquals(101, RawWebSocket.handshake(herald.port(), herald.contextPath() + "/api/ws",
                "Authorization: Bearer " + Herald.KEY).status());
    }
}
