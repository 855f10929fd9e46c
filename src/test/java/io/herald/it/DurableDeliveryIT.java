package io.herald.it;

import io.herald.it.support.Api;
import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.Herald;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import io.herald.it.support.RawWebSocket;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable per-uid delivery through the REST API and the WebSocket, on the server's default (embedded)
 * database: storage before the 202, seq order, acknowledgements, resume, idempotency, transactions.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DurableDeliveryIT extends ClientTest {

    /** These tests read the replay frame a bound client gets first. */
    @Override
    protected Herald open(URL url) {
        return Herald.at(url);
    }

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-durable.war", Deployments.baseConfig())
                .addClasses(TransactionProbe.class, TransactionProbe.Mount.class);
    }

    private long push(String uid, Object data) {
        return api.post("/uids/" + uid + "/messages", obj("data", data)).expect(202)
                .object().getJsonNumber("seq").longValue();
    }

    private static long seq(JsonObject frame) {
        return frame.getJsonNumber("seq").longValue();
    }

    private static void expectSeqs(WsClient client, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            assertEquals(seq, seq(client.awaitMessage(WAIT)), "in order, without gaps");
        }
    }

    @Test
    void messagesToAnOfflineUidAreStoredAndReplayedWhenItConnects() {
        String uid = Names.unique("offline");
        assertEquals(1, push(uid, obj("n", 1)));
        assertEquals(2, push(uid, "two"));
        assertEquals(3, push(uid, arr(3)));

        WsClient client = herald.connect(uid);
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(0, replay.getJsonNumber("since").longValue());
        assertEquals(3, replay.getJsonNumber("seq").longValue());
        assertTrue(replay.getBoolean("recovered"));
        assertFalse(replay.isNull("epoch"));

        JsonObject first = client.awaitMessage(WAIT);
        assertEquals(1, seq(first));
        assertEquals(obj("n", 1), first.get("data"));
        assertEquals("two", client.awaitMessage(WAIT).getString("data"));
        assertEquals(arr(3), client.awaitMessage(WAIT).get("data"));

        assertEquals(4, push(uid, "live"));
        JsonObject live = client.awaitMessage(WAIT);
        assertEquals(4, seq(live));
        assertEquals("live", live.getString("data"));
    }

    @Test
    void aClientResumesAfterADisconnectFromItsPositionWithoutGapOrDuplicate() {
        String uid = Names.unique("resume");
        WsClient first = herald.connect(uid);
        first.awaitFrame("replay", WAIT);
        for (int i = 1; i <= 3; i++) {
            push(uid, i);
        }
        expectSeqs(first, 1, 3);
        first.close();

        push(uid, 4);
        push(uid, 5);
        WsClient again = herald.connectQuery("uid=" + uid + "&since=3", true);
        JsonObject replay = again.awaitFrame("replay", WAIT);
        assertEquals(3, replay.getJsonNumber("since").longValue());
        assertTrue(replay.getBoolean("recovered"));
        expectSeqs(again, 4, 5);
        again.assertNoMessage(Duration.ofMillis(500));
    }

    @Test
    void withoutAPositionAClientStartsAfterTheUidsAcknowledgedPosition() {
        String uid = Names.unique("acked");
        for (int i = 1; i <= 4; i++) {
            push(uid, i);
        }
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        expectSeqs(client, 1, 4);
        client.sendJson(obj("type", "ack", "seq", 2));
        eventually(WAIT, () -> {
            JsonObject state = api.get("/uids/" + uid).expect(200).object();
            assertEquals(4, state.getJsonNumber("seq").longValue());
            assertEquals(2, state.getJsonNumber("acked").longValue());
            assertEquals(2, state.getJsonNumber("unread").longValue());
        });
        client.close();

        WsClient next = herald.connect(uid);
        assertEquals(2, next.awaitFrame("replay", WAIT).getJsonNumber("since").longValue());
        expectSeqs(next, 3, 4);
    }

    @Test
    void twoDevicesOfAUidReceiveEverythingAndShareTheAcknowledgedPosition() {
        String uid = Names.unique("devices");
        WsClient phone = herald.connect(uid);
        WsClient laptop = herald.connect(uid);
        phone.awaitFrame("replay", WAIT);
        laptop.awaitFrame("replay", WAIT);
        for (int i = 1; i <= 3; i++) {
            push(uid, i);
        }
        expectSeqs(phone, 1, 3);
        expectSeqs(laptop, 1, 3);
        laptop.sendJson(obj("type", "ack", "seq", 3));
        eventually(WAIT, () -> assertEquals(0,
                api.get("/uids/" + uid).expect(200).object().getJsonNumber("unread").longValue()));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReturnsTheOriginalAndStoresNothing() {
        String uid = Names.unique("idem");
        String key = Names.unique("key");
        Api.Response first = api.send("POST", "/uids/" + uid + "/messages", obj("data", "once").toString(),
                "Idempotency-Key", key).expect(202);
        Api.Response retry = api.send("POST", "/uids/" + uid + "/messages", obj("data", "once").toString(),
                "Idempotency-Key", key).expect(202);
        assertEquals(first.object(), retry.object());
        Api.Response other = api.send("POST", "/uids/" + uid + "/messages", obj("data", "twice").toString(),
                "Idempotency-Key", Names.unique("key")).expect(202);
        assertEquals(2, other.object().getJsonNumber("seq").longValue());

        JsonObject history = api.get("/uids/" + uid + "/messages").expect(200).object();
        assertEquals(2, history.getJsonArray("messages").size());
        api.send("POST", "/uids/" + uid + "/messages", obj("data", 1).toString(),
                "Idempotency-Key", "has space").expectError(400, "bad_idempotency_key");
    }

    @Test
    void aNonDurablePushReachesOnlineClientsAndStoresNothing() {
        String uid = Names.unique("ephemeral");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        JsonObject answer = api.post("/uids/" + uid + "/messages", obj("data", "now", "durable", false))
                .expect(202).object();
        assertFalse(answer.containsKey("seq"));
        JsonObject message = client.awaitMessage(WAIT);
        assertFalse(message.containsKey("seq"));
        assertEquals("now", message.getString("data"));
        assertEquals(0, api.get("/uids/" + uid + "/messages").expect(200).object()
                .getJsonArray("messages").size());
        api.post("/uids/" + uid + "/messages", obj("data", 1, "durable", "yes")).expectError(400, "bad_request");
    }

    @Test
    void aPushToSeveralUidsStoresOneCopyPerUid() {
        String a = Names.unique("list-a");
        String b = Names.unique("list-b");
        push(a, "earlier");
        WsClient clientB = herald.connect(b);
        clientB.awaitFrame("replay", WAIT);
        JsonObject answer = api.post("/messages", obj("to", obj("uids", arr(a, b)), "data", "both"))
                .expect(202).object();
        assertEquals(2, answer.getJsonObject("seqs").getJsonNumber(a).longValue());
        assertEquals(1, answer.getJsonObject("seqs").getJsonNumber(b).longValue());
        JsonObject message = clientB.awaitMessage(WAIT);
        assertEquals(1, seq(message));
        assertEquals(answer.getString("id"), message.getString("id"));

        WsClient clientA = herald.connect(a);
        clientA.awaitFrame("replay", WAIT);
        assertEquals("earlier", clientA.awaitMessage(WAIT).getString("data"));
        assertEquals("both", clientA.awaitMessage(WAIT).getString("data"));
    }

    @Test
    void aPositionFromAnotherEpochOrBeyondTheStreamIsReportedAsNotRecovered() {
        String uid = Names.unique("epoch");
        push(uid, 1);
        push(uid, 2);
        WsClient client = herald.connectQuery("uid=" + uid + "&since=1&epoch=not-this-one", true);
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertFalse(replay.getBoolean("recovered"));
        assertEquals("epoch", replay.getString("reason"));
        assertEquals(0, replay.getJsonNumber("since").longValue(), "restarts from the acknowledged position");
        expectSeqs(client, 1, 2);
        String epoch = replay.getString("epoch");

        WsClient ahead = herald.connectQuery("uid=" + uid + "&since=99&epoch=" + epoch, true);
        JsonObject aheadReplay = ahead.awaitFrame("replay", WAIT);
        assertFalse(aheadReplay.getBoolean("recovered"));
        assertEquals("ahead", aheadReplay.getString("reason"));

        WsClient same = herald.connectQuery("uid=" + uid + "&since=1&epoch=" + epoch, true);
        assertTrue(same.awaitFrame("replay", WAIT).getBoolean("recovered"));
        expectSeqs(same, 2, 2);
    }

    @Test
    void aStreamsEpochIsKnownFromTheFirstClientAndOutlivesItsFirstMessages() {
        String uid = Names.unique("early");
        WsClient first = herald.connect(uid);
        JsonObject replay = first.awaitFrame("replay", WAIT);
        assertEquals(uid, replay.getString("uid"));
        assertFalse(replay.isNull("epoch"), "the stream exists from its first client on");
        String epoch = replay.getString("epoch");
        push(uid, "one");
        assertEquals(1, seq(first.awaitMessage(WAIT)));
        first.close();

        WsClient again = herald.connectQuery("uid=" + uid + "&since=1&epoch=" + epoch, true);
        JsonObject resumed = again.awaitFrame("replay", WAIT);
        assertTrue(resumed.getBoolean("recovered"));
        assertEquals(epoch, resumed.getString("epoch"));
    }

    @Test
    void aClientBoundLaterByTheBackendStartsItsUidsStream() {
        String uid = Names.unique("late");
        push(uid, "waiting");
        WsClient client = herald.connect(null);
        api.put("/clients/" + client.clientId() + "/uid", obj("uid", uid)).expect(204);
        assertEquals(uid, client.awaitFrame("replay", WAIT).getString("uid"), "the replay names whose stream it is");
        assertEquals("waiting", client.awaitMessage(WAIT).getString("data"));
    }

    @Test
    void aResumeFrameReplaysFromTheGivenPosition() {
        String uid = Names.unique("resume-frame");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        for (int i = 1; i <= 3; i++) {
            push(uid, i);
        }
        expectSeqs(client, 1, 3);
        client.sendJson(obj("type", "resume", "since", 1));
        assertEquals(1, client.awaitFrame("replay", WAIT).getJsonNumber("since").longValue());
        expectSeqs(client, 2, 3);
    }

    @Test
    void aClientThatAsksForJoinedFramesGetsItsReplayInArraysAndOthersOneFrameEach() throws IOException {
        String uid = Names.unique("joined");
        int stored = 300;
        // 9 MB in all: more than the sockets' buffers take (they grow to megabytes), so that frames wait on
        // the server. Two such messages fit in one joined frame.
        String text = "m".repeat(30_000);
        int perBatch = 30; // within the body limit (1 MiB)
        for (int from = 1; from <= stored; from += perBatch) {
            List<JsonObject> messages = new ArrayList<>();
            for (int i = from; i < from + perBatch; i++) {
                messages.add(obj("uid", uid, "data", obj("n", i, "text", text)));
            }
            api.post("/messages/batch", obj("messages", arr(messages.toArray()))).expect(202);
        }

        // A client that does not read for a while (a small receive window): what waits for it is joined.
        try (RawWebSocket joined = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + uid + "&since=0&batch=1"),
                4096)) {
            JsonValue welcome = JsonSupport.parse(joined.readFrame().text());
            assertEquals(JsonValue.ValueType.OBJECT, welcome.getValueType(), "the welcome comes alone: " + welcome);
            assertEquals("welcome", welcome.asJsonObject().getString("type"));
            if (sendsCompleteOnceWritten()) {
                eventually(WAIT, () -> assertTrue(outboxFrames() >= 2, "frames wait for the client"));
            }

            List<JsonObject> frames = new ArrayList<>();
            int arrays = 0;
            while (frames.size() < stored + 1) { // the replay frame, then the messages
                RawWebSocket.Frame frame = joined.readFrame();
                assertEquals(1, frame.opcode(), "a text frame");
                JsonValue value = JsonSupport.parse(frame.text());
                if (value.getValueType() == JsonValue.ValueType.ARRAY) {
                    arrays++;
                    assertTrue(value.asJsonArray().size() > 1, "a lone frame is sent as an object");
                    value.asJsonArray().forEach(element -> frames.add(element.asJsonObject()));
                } else {
                    frames.add(value.asJsonObject());
                }
            }
            assertEquals("replay", frames.get(0).getString("type"));
            assertEquals(stored, seq(frames.get(0)));
            for (int i = 1; i <= stored; i++) {
                JsonObject message = frames.get(i);
                assertEquals("message", message.getString("type"), "frame " + i);
                assertEquals(i, seq(message), "in order, without gaps");
                assertEquals(i, message.getJsonObject("data").getInt("n"));
            }
            if (sendsCompleteOnceWritten()) {
                assertTrue(arrays > 0, "frames that waited were joined");
            }
        }

        // Without batch=1 every frame is one object: WsClient would take an array for "__not_an_object__".
        WsClient single = herald.connectQuery("uid=" + uid + "&since=0", true);
        assertEquals(stored, seq(single.awaitFrame("replay", WAIT)));
        expectSeqs(single, 1, stored);
    }

    /**
     * Whether the server completes an asynchronous send once the frame is written to the socket, so that
     * frames wait in Herald's send queue behind a client that does not read: WildFly (Undertow). Payara
     * (Tyrus on Grizzly) completes it once its own write queue, which holds megabytes, has taken the frame:
     * frames seldom wait in Herald's queue there (none in this test), and so are seldom joined.
     */
    private static boolean sendsCompleteOnceWritten() {
        return !"payara".equals(System.getProperty("arquillian.launch"));
    }

    /** Frames waiting in this node's send queues. */
    private double outboxFrames() {
        for (String line : api.get("/metrics").expect(200).body().split("\n")) {
            if (line.startsWith("herald_outbox_frames ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no herald_outbox_frames in the metrics");
    }

    @Test
    void badAcknowledgementsAndPositionsAreRefused() {
        String uid = Names.unique("bad-ack");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        client.sendJson(obj("type", "ack", "seq", 99));
        assertEquals("bad_ack", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "ack"));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "resume", "since", "x"));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));

        WsClient unbound = herald.connect(null);
        unbound.sendJson(obj("type", "ack", "seq", 1));
        assertEquals("not_bound", unbound.awaitFrame("error", WAIT).getString("code"));
        unbound.sendJson(obj("type", "resume"));
        assertEquals("not_bound", unbound.awaitFrame("error", WAIT).getString("code"));

        assertEquals(400, herald.handshake("uid=" + uid + "&since=-1").status());
        assertEquals(400, herald.handshake("uid=" + uid + "&since=abc").status());
        Handshake.send(herald.port(), herald.wsPath("uid=" + uid + "&batch=2"), null).assertRefused(400, "bad_batch");
        Handshake.send(herald.port(), herald.wsPath("uid=" + uid + "&batch=yes"), null).assertRefused(400, "bad_batch");
        Handshake.send(herald.port(), herald.wsPath("uid=" + uid + "&batch=1"), null).assertUpgraded();
        assertTrue(client.isOpen(), "a refused frame leaves the connection open");
    }

    @Test
    void aClientsCursorShowsWhatItWasSentAndWhatItAcknowledged() {
        String uid = Names.unique("cursor");
        push(uid, "before");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        expectSeqs(client, 1, 1);
        String path = "/clients/" + client.clientId();
        eventually(WAIT, () -> assertEquals(obj("seq", 1, "acked", JsonValue.NULL, "replaying", false),
                api.get(path).expect(200).object().get("cursor"), "caught up, nothing acknowledged yet"));

        push(uid, 2);
        push(uid, 3);
        expectSeqs(client, 2, 3);
        client.sendJson(obj("type", "ack", "seq", 2));
        eventually(WAIT, () -> assertEquals(obj("seq", 3, "acked", 2, "replaying", false),
                api.get(path).expect(200).object().get("cursor")));
        eventually(WAIT, () -> assertEquals(2, api.get("/uids/" + uid).expect(200).object()
                .getJsonNumber("acked").longValue(), "the acknowledgement is stored"));

        WsClient unbound = herald.connect(null);
        assertEquals(JsonValue.NULL, api.get("/clients/" + unbound.clientId()).expect(200).object().get("cursor"),
                "a client without a uid has no stream");
        api.put("/clients/" + unbound.clientId() + "/uid", obj("uid", uid)).expect(204);
        unbound.awaitFrame("replay", WAIT);
        expectSeqs(unbound, 3, 3); // the uid acknowledged 2: a new client starts after it
        eventually(WAIT, () -> assertEquals(obj("seq", 3, "acked", JsonValue.NULL, "replaying", false),
                api.get("/clients/" + unbound.clientId()).expect(200).object().get("cursor")));
    }

    @Test
    void theHistoryApiPagesThroughStoredMessages() {
        String uid = Names.unique("history");
        for (int i = 1; i <= 5; i++) {
            push(uid, i);
        }
        JsonObject page = api.get("/uids/" + uid + "/messages?since=2&limit=2").expect(200).object();
        assertEquals(5, page.getJsonNumber("seq").longValue());
        assertEquals(List.of(3L, 4L), page.getJsonArray("messages").stream()
                .map(m -> m.asJsonObject().getJsonNumber("seq").longValue()).toList());
        assertEquals(3, page.getJsonArray("messages").getJsonObject(0).getInt("data"));
        api.get("/uids/" + uid + "/messages?limit=0").expectError(400, "bad_request");
        api.get("/uids/" + uid + "/messages?since=x").expectError(400, "bad_request");
        JsonObject none = api.get("/uids/" + Names.unique("never") + "/messages").expect(200).object();
        assertTrue(none.isNull("epoch"));
        assertEquals(0, none.getJsonArray("messages").size());
    }

    @Test
    void concurrentPushersToOneUidGetDistinctGaplessSeqs() throws Exception {
        String uid = Names.unique("concurrent");
        Set<Long> seqs = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    assertTrue(seqs.add(push(uid, i)), "a seq was handed out twice");
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(100, seqs.size());
        assertTrue(seqs.stream().allMatch(seq -> seq >= 1 && seq <= 100));
    }

    @Test
    void aMessageSentInARolledBackTransactionNeverExists() {
        String uid = Names.unique("rollback");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        api.post("/probe/tx/" + uid + "?outcome=rollback&holdMillis=0", obj()).expect(200);
        client.assertNoMessage(Duration.ofSeconds(1));
        assertEquals(0, api.get("/uids/" + uid + "/messages").expect(200).object()
                .getJsonArray("messages").size());
        assertEquals(1, push(uid, "after the rollback"), "the rolled back seq was never handed out");
    }

    @Test
    void aMessageSentInATransactionIsDeliveredOnlyAfterTheCommit() throws Exception {
        String uid = Names.unique("commit");
        WsClient client = herald.connect(uid);
        client.awaitFrame("replay", WAIT);
        CompletableFuture<Api.Response> committing = CompletableFuture.supplyAsync(() ->
                api.post("/probe/tx/" + uid + "?outcome=commit&holdMillis=2000", obj()));
        client.assertNoMessage(Duration.ofMillis(1200));
        assertFalse(committing.isDone(), "the transaction is still open");
        assertEquals(200, committing.get(30, TimeUnit.SECONDS).status());
        JsonObject message = client.awaitMessage(WAIT);
        assertEquals(1, seq(message));
        assertEquals("sent in a transaction", message.getString("data"));
        assertNotEquals(0, api.get("/uids/" + uid + "/messages").expect(200).object()
                .getJsonArray("messages").size());
    }
}
