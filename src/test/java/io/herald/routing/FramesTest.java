package io.herald.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void aDurableMessageGivesItsSeqBack() {
        assertEquals(42, Frames.durableSeq(Frames.durableMessage("k2x9:3f", 42, "{\"seq\":7}")));
        assertEquals(0, Frames.durableSeq(Frames.durableMessage("a:0", 0, "null")));
    }

    @Test
    void anyOtherFrameHasNone() {
        assertEquals(-1, Frames.durableSeq(Frames.message("k2x9:3f", Json.createValue("\",\"seq\":5"))));
        assertEquals(-1, Frames.durableSeq(Frames.relayed("k2x9:3f", "alice",
                Json.createObjectBuilder().add("uid", "bob").build(), JsonValue.TRUE)));
        assertEquals(-1, Frames.durableSeq(Frames.PING));
        assertEquals(-1, Frames.durableSeq(Frames.welcome("k2x9-1", "alice", 1, 2, "sse/k2x9-1/s")));
        assertEquals(-1, Frames.durableSeq(Frames.close(1012, "restart")));
    }

    @Test
    void aGroupMessageIsValidJsonWithItsGroupAndSeqButNotTheUidStreamsSeq() {
        String frame = Frames.groupMessage("k2x9:3f", "room:7", 41, "{\"text\":\"hi\"}");
        var json = Json.createReader(new java.io.StringReader(frame)).readObject();
        assertEquals("message", json.getString("type"));
        assertEquals("room:7", json.getString("group"));
        assertEquals(41, json.getInt("seq"));
        assertEquals("hi", json.getJsonObject("data").getString("text"));
        // An event stream's event id is the uid stream's position: a group's seq must not become it.
        assertEquals(-1, Frames.durableSeq(frame));
    }

    private static jakarta.json.JsonObject parsed(String frame) {
        return Json.createReader(new java.io.StringReader(frame)).readObject();
    }

    @Test
    void aWelcomeIsValidJsonWithOrWithoutItsUidAndPostPath() {
        assertEquals(Json.createObjectBuilder().add("type", "welcome").add("clientId", "k2x9-1").add("uid", "alice.b@c")
                        .add("heartbeat", Json.createObjectBuilder().add("interval", 25000).add("timeout", 60000))
                        .add("post", "sse/k2x9-1/s3cr3t").build(),
                parsed(Frames.welcome("k2x9-1", "alice.b@c", 25000, 60000, "sse/k2x9-1/s3cr3t")));
        assertEquals(Json.createObjectBuilder().add("type", "welcome").add("clientId", "k2x9-1").addNull("uid")
                        .add("heartbeat", Json.createObjectBuilder().add("interval", 1).add("timeout", 2)).build(),
                parsed(Frames.welcome("k2x9-1", null, 1, 2, null)));
    }

    @Test
    void aReplayIsValidJsonRecoveredOrNot() {
        assertEquals(Json.createObjectBuilder().add("type", "replay").add("uid", "alice").add("epoch", "mwr6x")
                        .add("since", 3).add("seq", 5).add("recovered", true).build(),
                parsed(Frames.replay("uid", "alice", "mwr6x", 3, 5, null, 1)));
        assertEquals(Json.createObjectBuilder().add("type", "replay").add("group", "room:7").addNull("epoch")
                        .add("since", 0).add("recovered", false).add("reason", "expired").add("oldest", 9).build(),
                parsed(Frames.replay("group", "room:7", null, 0, -1, "expired", 9)));
    }
}
