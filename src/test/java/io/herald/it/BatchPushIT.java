package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.obj;
import static io.herald.it.support.JsonSupport.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /api/messages/batch}: many different messages, each for one uid, in one request. Durable
 * batches are stored in their order and answered once all are committed; ephemeral ones reach the clients
 * online. Everything is checked before anything is stored or sent. The deployment's limits are small so
 * that the limits can be reached: 10 messages per batch, a journal queue of 8, 8 KiB bodies.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchPushIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final String READER = "reader-key";
    private static final String PUSHER = "pusher-key";
    private static final int MAX_MESSAGES = 10;
    private static final int QUEUE = 8;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-batch.war", Deployments.config(
                "herald.api.keys", String.join(",", Herald.KEY, READER + ":query", PUSHER + ":push"),
                "herald.api.max-batch-messages", String.valueOf(MAX_MESSAGES),
                "herald.durable.queue-capacity", String.valueOf(QUEUE),
                "herald.api.max-body-bytes", "8192"));
    }

    /** One entry: uid, data, and an idempotency key or null. */
    private static JsonObject entry(String uid, Object data, String key) {
        return key == null ? obj("uid", uid, "data", data) : obj("uid", uid, "data", data, "idempotencyKey", key);
    }

    private static JsonObject entry(String uid, Object data) {
        return entry(uid, data, null);
    }

    private static JsonObject batch(JsonObject... entries) {
        return obj("messages", arr((Object[]) entries));
    }

    private JsonArray postBatch(JsonObject body) {
        Api.Response response = api.post("/messages/batch", body).expect(202);
        assertTrue(response.contentType().startsWith("application/json"), response.contentType());
        return response.object().getJsonArray("messages");
    }

    private static long seq(JsonObject json) {
        return json.getJsonNumber("seq").longValue();
    }

    private JsonArray history(String uid) {
        return api.get("/uids/" + uid + "/messages").expect(200).object().getJsonArray("messages");
    }

    private WsClient connected(String uid) {
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        return client;
    }

    /** The next message frame must be the answer's entry: same id and seq, and the data sent. */
    private static void expectFrame(WsClient client, JsonObject answered, JsonValue data) {
        JsonObject frame = client.awaitMessage(WAIT);
        assertEquals(answered.getString("id"), frame.getString("id"), frame.toString());
        assertEquals(seq(answered), seq(frame), frame.toString());
        assertEquals(data, frame.get("data"));
    }

    private double durableUidPushes() {
        for (String line : herald.api(READER).get("/metrics").expect(200).body().split("\n")) {
            if (line.startsWith("herald_pushes_total{durable=\"true\",kind=\"uid\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no herald_pushes_total for durable uid pushes");
    }

    @Test
    void aDurableBatchIsStoredInItsOrderAndReachesEachUidsClients() {
        String alice = Names.unique("alice");
        String bob = Names.unique("bob");
        String carol = Names.unique("carol");
        api.post("/uids/" + bob + "/messages", obj("data", "before")).expect(202);
        WsClient aliceClient = connected(alice);
        WsClient bobClient = connected(bob);
        assertEquals(value("before"), bobClient.awaitData(WAIT));
        WsClient carolClient = connected(carol);
        double pushesBefore = durableUidPushes();

        List<JsonObject> entries = List.of(entry(alice, obj("n", 1)), entry(bob, "for bob"),
                entry(alice, arr(2, "two")), entry(carol, JsonValue.NULL));
        JsonArray answer = postBatch(batch(entries.toArray(JsonObject[]::new)));
        assertEquals(4, answer.size());
        List<String> ids = new ArrayList<>();
        answer.forEach(a -> ids.add(a.asJsonObject().getString("id")));
        assertEquals(4, ids.stream().distinct().count(), "one id per message: " + answer);
        assertEquals(1, seq(answer.getJsonObject(0)), "alice's first");
        assertEquals(2, seq(answer.getJsonObject(1)), "bob's second, after the single push");
        assertEquals(2, seq(answer.getJsonObject(2)), "the same uid twice: seqs follow the batch's order");
        assertEquals(1, seq(answer.getJsonObject(3)));

        expectFrame(aliceClient, answer.getJsonObject(0), obj("n", 1));
        expectFrame(aliceClient, answer.getJsonObject(2), arr(2, "two"));
        expectFrame(bobClient, answer.getJsonObject(1), value("for bob"));
        expectFrame(carolClient, answer.getJsonObject(3), JsonValue.NULL);
        aliceClient.assertNoMessage(QUIET);
        bobClient.assertNoMessage(Duration.ZERO);
        assertEquals(pushesBefore + 4, durableUidPushes(), "one durable push counted per message");

        JsonArray next = postBatch(batch(entry(alice, 3), entry(alice, 4), entry(bob, 3)));
        assertEquals(List.of(3L, 4L, 3L), List.of(seq(next.getJsonObject(0)), seq(next.getJsonObject(1)),
                seq(next.getJsonObject(2))), "consecutive seqs per uid across batches");
        expectFrame(aliceClient, next.getJsonObject(0), value(3));
        expectFrame(aliceClient, next.getJsonObject(1), value(4));
        expectFrame(bobClient, next.getJsonObject(2), value(3));
        assertEquals(4, history(alice).size());
    }

    @Test
    void aBatchStoredForAnOfflineUidIsReplayedWhenItConnects() {
        String uid = Names.unique("offline");
        JsonArray answer = postBatch(batch(entry(uid, "first"), entry(Names.unique("other"), "x"),
                entry(uid, obj("second", true))));
        WsClient client = herald.connect(uid);
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(0, replay.getJsonNumber("since").longValue());
        assertEquals(2, replay.getJsonNumber("seq").longValue());
        assertTrue(replay.getBoolean("recovered"));
        expectFrame(client, answer.getJsonObject(0), value("first"));
        expectFrame(client, answer.getJsonObject(2), obj("second", true));
        client.assertNoMessage(QUIET);
    }

    @Test
    void anEphemeralBatchReachesTheClientsOnlineAndStoresNothing() {
        String online = Names.unique("online");
        String offline = Names.unique("offline");
        WsClient client = connected(online);
        JsonObject body = obj("messages", arr(entry(online, "one"), entry(offline, "lost"), entry(online, "two")),
                "durable", false);
        JsonArray answer = postBatch(body);
        assertEquals(3, answer.size());
        for (JsonValue entry : answer) {
            assertFalse(entry.asJsonObject().containsKey("seq"), "no seq when not stored: " + entry);
        }
        JsonObject first = client.awaitMessage(WAIT);
        assertEquals(answer.getJsonObject(0).getString("id"), first.getString("id"));
        assertEquals("one", first.getString("data"));
        assertFalse(first.containsKey("seq"));
        JsonObject second = client.awaitMessage(WAIT);
        assertEquals(answer.getJsonObject(2).getString("id"), second.getString("id"));
        assertEquals("two", second.getString("data"));
        assertEquals(0, history(online).size());
        assertEquals(0, history(offline).size());
    }

    @Test
    void aRetriedBatchWithIdempotencyKeysReturnsTheOriginalsAndStoresNothingTwice() {
        String a = Names.unique("idem-a");
        String b = Names.unique("idem-b");
        String k1 = Names.unique("k1");
        String k2 = Names.unique("k2");
        String k3 = Names.unique("k3");
        WsClient clientA = connected(a);
        JsonObject body = batch(entry(a, "a1", k1), entry(b, "b1", k2), entry(a, "a2", k3));
        JsonArray first = postBatch(body);
        assertEquals(List.of(1L, 1L, 2L), List.of(seq(first.getJsonObject(0)), seq(first.getJsonObject(1)),
                seq(first.getJsonObject(2))));
        expectFrame(clientA, first.getJsonObject(0), value("a1"));
        expectFrame(clientA, first.getJsonObject(2), value("a2"));

        JsonArray retry = postBatch(body);
        assertEquals(first, retry, "the same ids and seqs");
        clientA.assertNoMessage(QUIET);
        assertEquals(2, history(a).size());
        assertEquals(1, history(b).size());

        // A key seen before returns its original; a new one in the same batch is stored after.
        JsonArray mixed = postBatch(batch(entry(a, "a2 again", k3), entry(a, "a3", Names.unique("k4"))));
        assertEquals(first.getJsonObject(2), mixed.getJsonObject(0));
        assertEquals(3, seq(mixed.getJsonObject(1)));
        assertNotEquals(first.getJsonObject(2).getString("id"), mixed.getJsonObject(1).getString("id"));
        expectFrame(clientA, mixed.getJsonObject(1), value("a3"));
        clientA.assertNoMessage(QUIET);
        assertEquals(3, history(a).size());
    }

    @Test
    void badBatchesAreRefusedWithTheEntryNamedAndNothingStoredOrSent() {
        String uid = Names.unique("checked");
        WsClient client = connected(uid);
        JsonObject good = entry(uid, "fine");

        api.send("POST", "/messages/batch", "[1]").expectError(400, "bad_json");
        api.post("/messages/batch", obj("data", 1)).expectError(400, "bad_request");
        api.post("/messages/batch", obj("messages", arr())).expectError(400, "bad_request");
        api.post("/messages/batch", obj("messages", "no")).expectError(400, "bad_request");
        expectNamed(api.post("/messages/batch", batch(good, good, good, entry("has space", 1)))
                .expectError(400, "bad_uid"), "messages[3].uid");
        expectNamed(api.post("/messages/batch", obj("messages", arr(good, 7))).expectError(400, "bad_request"),
                "messages[1]");
        expectNamed(api.post("/messages/batch", batch(good, obj("data", 1))).expectError(400, "bad_request"),
                "messages[1].uid");
        expectNamed(api.post("/messages/batch", batch(good, obj("uid", uid))).expectError(400, "bad_request"),
                "messages[1].data");
        expectNamed(api.post("/messages/batch", batch(good, entry(uid, 1, "with space")))
                .expectError(400, "bad_idempotency_key"), "messages[1].idempotencyKey");
        api.post("/messages/batch", obj("messages", arr(good), "durable", "yes")).expectError(400, "bad_request");
        api.post("/messages/batch", obj("messages", arr(good, entry("bad/uid", 1)), "durable", false))
                .expectError(400, "bad_uid");
        api.send("POST", "/messages/batch", batch(good).toString(), "Idempotency-Key", "k")
                .expectError(400, "bad_idempotency_key");

        JsonObject[] tooMany = new JsonObject[MAX_MESSAGES + 1];
        Arrays.fill(tooMany, good);
        api.post("/messages/batch", batch(tooMany)).expectError(413, "batch_too_large");
        api.post("/messages/batch", batch(good, entry(uid, "x".repeat(9000)))).expectError(413, "body_too_large");

        client.assertNoMessage(QUIET);
        assertEquals(0, history(uid).size(), "nothing stored by a refused batch");
    }

    @Test
    void aBatchLargerThanTheRoomInTheJournalsQueueStoresNothing() {
        String uid = Names.unique("busy");
        JsonObject[] entries = new JsonObject[QUEUE + 1];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = entry(uid, i);
        }
        api.post("/messages/batch", batch(entries)).expectError(503, "store_busy");
        assertEquals(0, history(uid).size(), "all or none");
        assertEquals(QUEUE, postBatch(batch(Arrays.copyOf(entries, QUEUE))).size(), "a batch that fits");
        assertEquals(QUEUE, history(uid).size());
    }

    @Test
    void aBatchNeedsThePushScope() {
        String uid = Names.unique("scope");
        JsonObject body = batch(entry(uid, 1));
        herald.api(READER).post("/messages/batch", body).expectError(403, "forbidden");
        assertEquals(0, history(uid).size());
        herald.api(PUSHER).post("/messages/batch", body).expect(202);
        assertEquals(1, history(uid).size());
    }

    private static void expectNamed(Api.Response response, String name) {
        String message = response.object().getString("message");
        assertTrue(message.startsWith(name), "the message names " + name + ": " + message);
    }
}
