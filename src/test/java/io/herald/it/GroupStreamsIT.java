package io.herald.it;

import io.herald.it.support.Api;
import io.herald.it.support.ChannelClient;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.Json;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable groups through the REST API, the backend channel and the WebSocket: a group's messages stored once
 * in its stream with gapless seqs, delivered live with their group and seq, resumed per group by each client
 * from its own position, the newest ones on joining, its history, and what a client that asks for too much
 * or for the wrong thing is told.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GroupStreamsIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int MAX_PER_GROUP = 20;
    private static final int JOIN_LAST = 2;
    private static final int REPLAY_PAGE = 4;

    /** These tests read the group replay frames. */
    @Override
    protected Herald open(URL url) {
        return Herald.at(url);
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-groups.war", Deployments.config(
                "herald.durable.groups.max-per-group", Integer.toString(MAX_PER_GROUP),
                "herald.durable.groups.join-last", Integer.toString(JOIN_LAST),
                // '_' is a name character and a LIKE wildcard: a rule for dash_* must not purge dashX groups.
                "herald.durable.groups.rules", "dash_* max-per-group=3 join-last=1",
                // Small pages, so that replays cross page boundaries (and the pages members share).
                "herald.durable.replay-page", Integer.toString(REPLAY_PAGE),
                "herald.durable.purge-interval", "PT1S",
                "herald.limits.groups-per-client", "5"))
                .addClasses(TransactionProbe.class, TransactionProbe.Mount.class);
    }

    private JsonObject pushDurable(String group, Object data) {
        return api.post("/groups/" + group + "/messages", obj("data", data, "durable", true)).expect(202).object();
    }

    private long push(String group, Object data) {
        return pushDurable(group, data).getJsonNumber("seq").longValue();
    }

    /** An unbound client (no uid stream, so no uid replay frame), in the given groups. */
    private WsClient member(String... groups) {
        WsClient client = herald.connect(null);
        for (String group : groups) {
            api.joinGroup(group, client.clientId());
        }
        return client;
    }

    /**
     * A client that joined a group whose last seq is {@code last} gets the newest {@code JOIN_LAST} first
     * (join-last is on in this deployment): read them.
     */
    private static void expectJoinLast(WsClient client, String group, long last) {
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(group, replay.getString("group"), replay.toString());
        assertEquals(last - JOIN_LAST, replay.getJsonNumber("since").longValue(), replay.toString());
        client.awaitGroupSeqs(group, last - JOIN_LAST + 1, last, WAIT);
    }

    private static long seq(JsonObject frame) {
        return frame.getJsonNumber("seq").longValue();
    }

    private JsonObject history(String group, String query) {
        return api.get("/groups/" + group + "/messages" + query).expect(200).object();
    }

    @Test
    void aDurableGroupMessageIsStoredOnceNumberedAndDeliveredLiveWithItsGroupAndSeq() {
        String group = Names.unique("room");
        WsClient first = member(group);
        WsClient second = member(group);

        JsonObject receipt = pushDurable(group, obj("text", "one"));
        assertEquals(1, seq(receipt));
        assertTrue(receipt.getString("id").contains(":"), receipt.toString());
        assertEquals(2, push(group, "two"));
        for (WsClient client : List.of(first, second)) {
            JsonObject message = client.awaitMessage(WAIT);
            assertEquals(receipt.getString("id"), message.getString("id"));
            assertEquals(group, message.getString("group"));
            assertEquals(1, seq(message));
            assertEquals(obj("text", "one"), message.get("data"));
            client.awaitGroupSeqs(group, 2, 2, WAIT);
        }

        // Ephemeral stays as it was: no seq, no group field, nothing stored.
        api.post("/groups/" + group + "/messages", obj("data", "now only")).expect(202);
        JsonObject ephemeral = first.awaitMessage(WAIT);
        assertEquals("now only", ephemeral.getString("data"));
        assertFalse(ephemeral.containsKey("seq") || ephemeral.containsKey("group"), ephemeral.toString());

        JsonObject page = history(group, "");
        assertEquals(group, page.getString("group"));
        assertEquals(2, page.getJsonNumber("seq").longValue());
        assertFalse(page.isNull("epoch"));
        JsonArray messages = page.getJsonArray("messages");
        assertEquals(2, messages.size(), "stored once, not once per member: " + page);
        assertEquals(receipt.getString("id"), messages.getJsonObject(0).getString("id"));
        assertEquals(obj("text", "one"), messages.getJsonObject(0).get("data"));
        assertEquals(1, history(group, "?since=1&limit=5").getJsonArray("messages").size());
        assertEquals(1, history(group, "?limit=1").getJsonArray("messages").size());

        JsonObject never = history(Names.unique("never"), "");
        assertTrue(never.isNull("epoch"));
        assertEquals(0, never.getJsonNumber("seq").longValue());
        assertEquals(0, never.getJsonArray("messages").size());
    }

    @Test
    void concurrentPushesGetGaplessSeqsDeliveredInOrder() throws Exception {
        String group = Names.unique("busy");
        WsClient watcher = member(group);
        int threads = 6;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        seqs.add(push(group, obj("t", thread, "i", i)));
                    }
                    return seqs;
                }));
            }
            Set<Long> seqs = new TreeSet<>();
            for (Future<List<Long>> future : futures) {
                List<Long> mine = future.get(2, TimeUnit.MINUTES);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "one pusher's messages in its order: " + mine);
                }
                seqs.addAll(mine);
            }
            int total = threads * each;
            assertEquals(total, seqs.size(), "a seq per message");
            assertEquals(1L, seqs.iterator().next());
            assertEquals((long) total, ((TreeSet<Long>) seqs).last(), "no gap");
            watcher.awaitGroupSeqs(group, 1, total, WAIT);
            watcher.assertNoMessage(Duration.ofMillis(300));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientResumesEachGroupFromItsOwnPositionThenGoesLiveWithoutGapOrDuplicate() throws Exception {
        String room = Names.unique("room");
        String feed = Names.unique("feed");
        WsClient before = member(room, feed);
        for (int i = 1; i <= 3; i++) {
            push(room, "r" + i);
        }
        push(feed, "f1");
        push(feed, "f2");
        List<JsonObject> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seen.add(before.awaitMessage(WAIT));
        }
        String feedEpoch = history(feed, "").getString("epoch");
        before.close();

        push(room, "r4");
        push(room, "r5");
        push(feed, "f3");

        WsClient after = member(room);
        expectJoinLast(after, room, 5);
        api.joinGroup(feed, after.clientId());
        expectJoinLast(after, feed, 3);
        // A resume restarts each group's stream where the client says, whatever it was sent before.
        // Messages keep coming while it resumes: the seam between replay and live must hold.
        ExecutorService pusher = Executors.newSingleThreadExecutor();
        try {
            Future<?> more = pusher.submit(() -> {
                for (int i = 6; i <= 25; i++) {
                    push(room, "r" + i);
                }
            });
            after.sendJson(obj("type", "resume", "groups",
                    obj(room, 3, feed, obj("since", 2, "epoch", feedEpoch))));
            more.get(2, TimeUnit.MINUTES);
        } finally {
            pusher.shutdownNow();
        }

        List<Long> roomSeqs = new ArrayList<>();
        List<Long> feedSeqs = new ArrayList<>();
        int replays = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((roomSeqs.size() < 22 || feedSeqs.size() < 1 || replays < 2) && System.nanoTime() < deadline) {
            JsonObject frame = after.awaitAnyFrame(WAIT);
            switch (frame.getString("type")) {
                case "replay" -> {
                    replays++;
                    assertTrue(frame.getBoolean("recovered"), frame.toString());
                    if (frame.containsKey("group") && frame.getString("group").equals(room)) {
                        assertEquals(3, frame.getJsonNumber("since").longValue());
                        // Live messages pushed before the server read the resume came from the old position;
                        // the stream restarts at the replay frame.
                        roomSeqs.clear();
                    } else {
                        assertEquals(feed, frame.getString("group"));
                        assertEquals(feedEpoch, frame.getString("epoch"));
                        assertEquals(2, frame.getJsonNumber("since").longValue());
                        assertEquals(3, frame.getJsonNumber("seq").longValue());
                    }
                }
                case "message" -> (frame.getString("group").equals(room) ? roomSeqs : feedSeqs).add(seq(frame));
                case "ping" -> { }
                default -> throw new AssertionError("unexpected frame " + frame);
            }
        }
        List<Long> expectedRoom = new ArrayList<>();
        for (long seq = 4; seq <= 25; seq++) {
            expectedRoom.add(seq);
        }
        assertEquals(expectedRoom, roomSeqs, "the gap, then live, without gap or duplicate at the seam");
        assertEquals(List.of(3L), feedSeqs);
        assertEquals(2, replays);
        after.assertNoMessage(Duration.ofMillis(300));
        assertEquals(26, push(room, "live"));
        after.awaitGroupSeqs(room, 26, 26, WAIT);
    }

    @Test
    void aPositionOlderThanTheRetentionOrFromAnotherEpochIsReportedNotRecovered() {
        String group = Names.unique("kept");
        int pushed = MAX_PER_GROUP + 5;
        for (int i = 1; i <= pushed; i++) {
            push(group, i);
        }
        long oldest = pushed - MAX_PER_GROUP + 1;
        eventually(WAIT, () -> assertEquals(oldest, seq(history(group, "").getJsonArray("messages").getJsonObject(0)),
                "the newest " + MAX_PER_GROUP + " are kept"));

        WsClient client = member(group);
        expectJoinLast(client, group, pushed);
        client.sendJson(obj("type", "resume", "groups", obj(group, 1)));
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(group, replay.getString("group"));
        assertFalse(replay.getBoolean("recovered"));
        assertEquals("expired", replay.getString("reason"));
        assertEquals(oldest, replay.getJsonNumber("oldest").longValue());
        assertEquals(oldest - 1, replay.getJsonNumber("since").longValue());
        client.awaitGroupSeqs(group, oldest, pushed, WAIT);

        WsClient other = member(group);
        expectJoinLast(other, group, pushed);
        other.sendJson(obj("type", "resume", "groups", obj(group, obj("since", 3, "epoch", "not-this-one"))));
        JsonObject lost = other.awaitFrame("replay", WAIT);
        assertFalse(lost.getBoolean("recovered"));
        assertEquals("epoch", lost.getString("reason"));
        // Without a usable position it starts as a joining client does: with the newest join-last messages.
        assertEquals(pushed - JOIN_LAST, lost.getJsonNumber("since").longValue());
        other.awaitGroupSeqs(group, pushed - JOIN_LAST + 1, pushed, WAIT);

        WsClient level = member(group);
        expectJoinLast(level, group, pushed);
        level.sendJson(obj("type", "resume", "groups", obj(group, pushed)));
        JsonObject fine = level.awaitFrame("replay", WAIT);
        assertTrue(fine.getBoolean("recovered"), fine.toString());
        level.assertNoMessage(Duration.ofMillis(300));
    }

    @Test
    void aClientJoiningADurableGroupGetsItsNewestMessagesAndNothingForAGroupWithoutAny() {
        String group = Names.unique("board");
        for (int i = 1; i <= 5; i++) {
            push(group, obj("score", i));
        }
        String quiet = Names.unique("quiet");
        WsClient client = herald.connect(null);
        api.joinGroup(quiet, client.clientId());
        api.joinGroup(group, client.clientId());
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(group, replay.getString("group"), "no replay frame for a group that never stored anything");
        assertTrue(replay.getBoolean("recovered"));
        assertEquals(5 - JOIN_LAST, replay.getJsonNumber("since").longValue());
        assertEquals(5, replay.getJsonNumber("seq").longValue());
        client.awaitGroupSeqs(group, 5 - JOIN_LAST + 1, 5, WAIT);
        client.assertNoMessage(Duration.ofMillis(300));

        // Its first durable message reaches a member that joined before it existed.
        assertEquals(1, push(quiet, "first"));
        client.awaitGroupSeqs(quiet, 1, 1, WAIT);
    }

    @Test
    void aRuleGivesTheGroupsItNamesTheirOwnRetentionAndJoinLast() {
        String dash = Names.unique("dash_");
        String other = Names.unique("dashX");
        for (int i = 1; i <= 6; i++) {
            push(dash, i);
            push(other, i);
        }
        eventually(WAIT, () -> assertEquals(3, history(dash, "").getJsonArray("messages").size(),
                "the rule keeps the newest 3 of " + dash));
        assertEquals(6, history(other, "").getJsonArray("messages").size(), "no rule names " + other);

        WsClient member = member(dash);
        JsonObject replay = member.awaitFrame("replay", WAIT);
        assertEquals(dash, replay.getString("group"));
        assertEquals(5, replay.getJsonNumber("since").longValue(), "the rule's join-last is 1: " + replay);
        member.awaitGroupSeqs(dash, 6, 6, WAIT);
        WsClient another = member(other);
        expectJoinLast(another, other, 6);
    }

    @Test
    void membersResumingTogetherFromDifferentPositionsEachGetExactlyTheirGap() throws Exception {
        String room = Names.unique("crowd");
        int stored = MAX_PER_GROUP - 2;
        for (int i = 1; i <= stored; i++) {
            push(room, "m" + i);
        }
        List<WsClient> members = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            WsClient client = member(room);
            expectJoinLast(client, room, stored);
            members.add(client);
        }
        // All at once, most from a position inside a page, so that they read the pages they share.
        for (int i = 0; i < members.size(); i++) {
            members.get(i).sendJson(obj("type", "resume", "groups", obj(room, i % 3 == 0 ? 0 : i)));
        }
        for (int i = 0; i < members.size(); i++) {
            long since = i % 3 == 0 ? 0 : i;
            JsonObject replay = members.get(i).awaitFrame("replay", WAIT);
            assertTrue(replay.getBoolean("recovered"), replay.toString());
            assertEquals(since, replay.getJsonNumber("since").longValue());
            members.get(i).awaitGroupSeqs(room, since + 1, stored, WAIT);
        }
        assertEquals(stored + 1, push(room, "live"));
        for (WsClient client : members) {
            client.awaitGroupSeqs(room, stored + 1, stored + 1, WAIT);
            client.assertNoMessage(Duration.ofMillis(100));
        }
    }

    @Test
    void anExcludedMemberDoesNotGetTheMessageAndGoesOnWithTheNext() {
        String group = Names.unique("excl");
        WsClient sender = member(group);
        WsClient other = member(group);
        push(group, "before");
        sender.awaitGroupSeqs(group, 1, 1, WAIT);
        other.awaitGroupSeqs(group, 1, 1, WAIT);

        api.post("/groups/" + group + "/messages", obj("data", "mine", "durable", true,
                "exclude", arr(sender.clientId()))).expect(202);
        other.awaitGroupSeqs(group, 2, 2, WAIT);
        assertEquals(3, push(group, "after"));
        other.awaitGroupSeqs(group, 3, 3, WAIT);
        JsonObject next = sender.awaitMessage(WAIT);
        assertEquals(3, seq(next), "the excluded message is not sent, not even as a catch-up: " + next);
        sender.assertNoMessage(Duration.ofMillis(300));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReturnsTheOriginalAndStoresNothing() {
        String group = Names.unique("idem");
        WsClient client = member(group);
        String key = Names.unique("key");
        String body = obj("data", "once", "durable", true).toString();
        Api.Response first = api.send("POST", "/groups/" + group + "/messages", body, "Idempotency-Key", key).expect(202);
        Api.Response retry = api.send("POST", "/groups/" + group + "/messages", body, "Idempotency-Key", key).expect(202);
        assertEquals(first.object(), retry.object());
        assertEquals(1, seq(first.object()));
        client.awaitGroupSeqs(group, 1, 1, WAIT);
        client.assertNoMessage(Duration.ofMillis(300));
        assertEquals(1, history(group, "").getJsonArray("messages").size());
        assertEquals(2, push(group, "next"));
    }

    @Test
    void aGroupMessageSentInATransactionIsStoredAndDeliveredOnlyIfItCommits() {
        String group = Names.unique("tx");
        WsClient client = member(group);
        api.post("/probe/tx/-?group=" + group + "&outcome=rollback&holdMillis=0", obj()).expect(200);
        client.assertNoMessage(Duration.ofMillis(500));
        assertEquals(0, history(group, "").getJsonArray("messages").size(), "rolled back: not stored");

        JsonObject committed = api.post("/probe/tx/-?group=" + group + "&outcome=commit&holdMillis=500", obj())
                .expect(200).object();
        assertEquals(1, committed.getInt("seq"), "the rolled back seq is not lost: still gapless");
        JsonObject message = client.awaitMessage(WAIT);
        assertEquals(group, message.getString("group"));
        assertEquals(1, seq(message));
        assertEquals("sent in a transaction", message.getString("data"));
    }

    @Test
    void theBackendChannelPushesAndReadsAsRestDoes() {
        String group = Names.unique("chan");
        WsClient client = member(group);
        try (ChannelClient channel = herald.channel(Herald.KEY)) {
            channel.send(obj("id", "p1", "method", "POST", "path", "/groups/" + group + "/messages",
                    "body", obj("data", obj("via", "channel"), "durable", true), "idempotencyKey", "k-" + group));
            JsonObject answer = channel.awaitAnswer(WAIT);
            assertEquals(202, answer.getInt("status"), answer.toString());
            assertEquals(1, seq(answer.getJsonObject("body")));
            JsonObject message = client.awaitMessage(WAIT);
            assertEquals(answer.getJsonObject("body").getString("id"), message.getString("id"));
            assertEquals(group, message.getString("group"));

            Api.Response rest = api.send("POST", "/groups/" + group + "/messages",
                    obj("data", obj("via", "channel"), "durable", true).toString(), "Idempotency-Key", "k-" + group);
            assertJsonEquals(answer.get("body"), rest.expect(202).json(), "the same key through REST");

            channel.send(obj("id", "h1", "method", "GET", "path", "/groups/" + group + "/messages?since=0&limit=10"));
            JsonObject page = channel.awaitAnswer(WAIT);
            assertEquals(200, page.getInt("status"));
            assertJsonEquals(history(group, "?since=0&limit=10"), page.get("body"), "history through the channel");
        }
    }

    @Test
    void badResumesAndRequestsAreRefusedWithTheirCode() {
        String group = Names.unique("bad");
        WsClient client = member(group);
        client.sendJson(obj("type", "resume", "groups", arr(group)));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "resume", "groups", obj("no spaces", 1)));
        assertEquals("bad_group", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "resume", "groups", obj(group, -1)));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "resume", "groups", obj(group, 1.5)));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));
        client.sendJson(obj("type", "resume", "groups", obj(group, obj("since", 1, "epoch", 7))));
        assertEquals("bad_frame", client.awaitFrame("error", WAIT).getString("code"));
        JsonObjectBuilder many = Json.createObjectBuilder();
        for (int i = 0; i < 6; i++) {
            many.add(group + "-" + i, 0);
        }
        client.sendJson(obj("type", "resume", "groups", many.build()));
        assertEquals("too_many_groups", client.awaitFrame("error", WAIT).getString("code"));
        String elsewhere = Names.unique("elsewhere");
        client.sendJson(obj("type", "resume", "groups", obj(elsewhere, 0)));
        JsonObject notMember = client.awaitFrame("error", WAIT);
        assertEquals("not_member", notMember.getString("code"));
        assertEquals(elsewhere, notMember.getString("group"), notMember.toString());
        // An unbound client resuming only groups is not asked for a uid.
        client.sendJson(obj("type", "resume", "groups", obj(group, 0)));
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertEquals(group, replay.getString("group"));
        assertTrue(replay.isNull("epoch"), "a group without durable messages has no stream yet: " + replay);
        assertTrue(client.isOpen());

        api.post("/groups/bad%20name/messages", obj("data", 1, "durable", true)).expectError(400, "bad_group");
        api.get("/groups/bad%20name/messages").expectError(400, "bad_group");
        api.get("/groups/" + group + "/messages?since=-1").expectError(400, "bad_request");
        api.get("/groups/" + group + "/messages?limit=0").expectError(400, "bad_request");
        api.post("/groups/" + group + "/messages", obj("durable", true)).expectError(400, "bad_request");
        api.send("POST", "/groups/" + group + "/messages", obj("data", 1, "durable", true).toString(),
                "Idempotency-Key", "has space").expectError(400, "bad_idempotency_key");
        assertEquals(0, history(group, "").getJsonArray("messages").size(), "nothing refused was stored");
    }
}
