package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallsTest {

    private final AtomicInteger keys = new AtomicInteger();
    private final Calls calls = new Calls(() -> "key-" + keys.incrementAndGet());

    private static JsonObject wire(long number, Call call) {
        return Json.createReader(new StringReader(new Request(number, call).text)).readObject();
    }

    @Test
    void aDurablePushGetsTheClientsKeyAndIsResent() {
        Call call = calls.pushToUid("alice", Json.createValue("hi"), Push.durable());
        assertEquals("key-1", call.idempotencyKey());
        assertTrue(call.resendable());
        JsonObject frame = wire(12, call);
        assertEquals(12, frame.getInt("id"));
        assertEquals("POST", frame.getString("method"));
        assertEquals("/uids/alice/messages", frame.getString("path"));
        assertEquals("key-1", frame.getString("idempotencyKey"));
        assertEquals("hi", frame.getJsonObject("body").getString("data"));
        assertFalse(frame.getJsonObject("body").containsKey("durable"), "durable is the server's default");
        assertEquals("key-2", calls.pushToUid("alice", Json.createValue(1), Push.durable()).idempotencyKey(),
                "each push its own key");
    }

    @Test
    void theCallersKeyIsKept() {
        Call call = calls.pushToUid("alice", Json.createValue(1), Push.withIdempotencyKey("mine"));
        assertEquals("mine", call.idempotencyKey());
        assertEquals(0, keys.get());
    }

    @Test
    void anEphemeralPushHasNoKeyAndIsNotResent() {
        Call call = calls.pushToUid("alice", Json.createValue(1), Push.ephemeral());
        assertNull(call.idempotencyKey());
        assertFalse(call.resendable());
        assertFalse(wire(1, call).getJsonObject("body").getBoolean("durable"));
        assertFalse(wire(2, calls.pushToClient("c1", Json.createValue(1))).containsKey("idempotencyKey"));
        assertFalse(calls.broadcast(Json.createValue(1), List.of()).resendable());
    }

    @Test
    void aMultiRecipientPushIsKeyedOnlyWhenItStoresForUids() {
        Call stored = calls.push(Recipients.uids("a", "b").andGroups("g"), Json.createValue(1), Push.durable(), List.of("c9"));
        assertEquals("key-1", stored.idempotencyKey());
        assertTrue(stored.resendable());
        JsonObject body = stored.body();
        assertEquals(List.of("a", "b"), body.getJsonObject("to").getJsonArray("uids").getValuesAs(
                jakarta.json.JsonString::getString));
        assertEquals("c9", body.getJsonArray("exclude").getString(0));
        Call groupsOnly = calls.push(Recipients.groups("g"), Json.createValue(1), Push.durable(), List.of());
        assertNull(groupsOnly.idempotencyKey());
        assertFalse(groupsOnly.resendable());
    }

    @Test
    void aDurableBatchKeysEveryMessageWithoutOne() {
        Call call = calls.pushBatch(List.of(new UidMessage("a", Json.createValue(1)),
                new UidMessage("b", Json.createValue(2), "given")), true);
        assertNull(call.idempotencyKey(), "a batch takes no header key");
        assertTrue(call.resendable());
        var messages = call.body().getJsonArray("messages");
        assertEquals("key-1", messages.getJsonObject(0).getString("idempotencyKey"));
        assertEquals("given", messages.getJsonObject(1).getString("idempotencyKey"));
        Call ephemeral = calls.pushBatch(List.of(new UidMessage("a", Json.createValue(1))), false);
        assertFalse(ephemeral.resendable());
        assertFalse(ephemeral.body().getJsonArray("messages").getJsonObject(0).containsKey("idempotencyKey"));
    }

    @Test
    void pathSegmentsAndQueriesAreEncoded() {
        assertEquals("/clients/a%2Fb%20c/uid", calls.bindUid("a/b c", "u").path());
        assertEquals("/groups/g%C3%A9/clients/c%3F", calls.joinGroup("gé", "c?").path());
        assertEquals("?since=10&limit=100", Calls.query("since", 10L, "limit", 100));
        assertEquals("?limit=5", Calls.query("after", null, "limit", 5));
        assertEquals("", Calls.query("after", null));
        assertFalse(calls.closeClient("c", null).resendable(), "a state change is not re-sent");
        assertTrue(calls.get("/stats").resendable());
    }

    @Test
    void requestNumbersAreTheWireIds() {
        assertEquals(99, wire(99, calls.get("/stats")).getInt("id"));
        assertFalse(wire(99, calls.get("/stats")).containsKey("body"));
    }
}
