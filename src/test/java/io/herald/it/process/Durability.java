package io.herald.it.process;

import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable delivery behind a real application server run as a child process: gapless seqs under
 * concurrent pushers, replay racing live pushes, and a SIGKILL of the server while pushes are under way,
 * after which every push that got a 202 is delivered to a resuming client. Subclasses choose the server
 * and the database.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
abstract class Durability {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private AppServer node;
    Herald herald;

    /** The server under test, not started yet. */
    abstract AppServer server(Path target) throws Exception;

    @BeforeAll
    void start() throws Exception {
        node = server(Path.of(System.getProperty("herald.war")).getParent());
        node.start(Duration.ofMinutes(3));
        herald = Herald.at(node.url());
    }

    @AfterAll
    void stop() throws Exception {
        if (herald != null) {
            herald.close();
        }
        if (node != null) {
            node.close();
        }
        afterServer();
    }

    /** Runs once the server has stopped: a subclass stops what the server used. */
    void afterServer() throws Exception {
    }

    @Test
    @Order(2)
    void concurrentPushersToOneUidGetGaplessSeqsDeliveredInOrder() throws Exception {
        String uid = "concurrent-" + System.nanoTime();
        int pushers = 8;
        int each = 40;
        ConcurrentMap<Long, String> bySeq = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(pushers);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < pushers; p++) {
            int pusher = p;
            done.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    String tag = pusher + "/" + i;
                    JsonObject answer = herald.api().post("/uids/" + uid + "/messages", obj("data", obj("tag", tag)))
                            .expect(202).object();
                    String previous = bySeq.put(answer.getJsonNumber("seq").longValue(), tag);
                    assertEquals(null, previous, "seq " + answer.get("seq") + " was handed out twice");
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get(3, TimeUnit.MINUTES);
        }
        pool.shutdown();
        int total = pushers * each;
        assertEquals(total, bySeq.size());
        assertEquals(1L, new TreeMap<>(bySeq).firstKey());
        assertEquals((long) total, new TreeMap<>(bySeq).lastKey(), "seqs are 1.." + total + " without gaps");

        try (WsClient client = herald.connectQuery("uid=" + uid + "&since=0", true)) {
            JsonObject replay = client.awaitFrame("replay", WAIT);
            assertTrue(replay.getBoolean("recovered"));
            for (long seq = 1; seq <= total; seq++) {
                JsonObject message = client.awaitMessage(WAIT);
                assertEquals(seq, message.getJsonNumber("seq").longValue(), "in order, no gap, no duplicate");
                assertEquals(bySeq.get(seq), message.getJsonObject("data").getString("tag"));
            }
        }
    }

    @Test
    @Order(3)
    void replayRacingWithLivePushesHasNoGapAndNoDuplicate() throws Exception {
        String uid = "race-" + System.nanoTime();
        int stored = 300;
        int live = 300;
        for (int i = 1; i <= stored; i++) {
            herald.api().post("/uids/" + uid + "/messages", obj("data", i)).expect(202);
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pusher = Executors.newSingleThreadExecutor();
        Future<?> pushing = pusher.submit(() -> {
            go.await();
            for (int i = stored + 1; i <= stored + live; i++) {
                herald.api().post("/uids/" + uid + "/messages", obj("data", i)).expect(202);
            }
            return null;
        });
        go.countDown();
        try (WsClient client = herald.connectQuery("uid=" + uid, true)) {
            client.awaitFrame("replay", WAIT);
            for (long seq = 1; seq <= stored + live; seq++) {
                JsonObject message = client.awaitMessage(WAIT);
                assertEquals(seq, message.getJsonNumber("seq").longValue(), "in order, no gap, no duplicate");
                assertEquals(seq, message.getJsonNumber("data").longValue());
            }
            pushing.get(1, TimeUnit.MINUTES);
            client.assertNoMessage(Duration.ofMillis(500));
        } finally {
            pusher.shutdownNow();
        }
    }

    /**
     * Clients resuming together have their replay pages read together (one read for many streams, on
     * PostgreSQL one statement): each still gets its own backlog, whole, in order, and nothing of another's.
     */
    @Test
    @Order(3)
    void manyClientsResumingAtOnceEachGetTheirOwnBacklogInOrder() throws Exception {
        String prefix = "together-" + System.nanoTime() + "-";
        int uids = 16; // within one address's connection burst (herald.limits.connections-per-address-burst)
        int rounds = 250; // the larger backlogs take two replay pages (200 messages, the default)
        for (int round = 1; round <= rounds; round++) {
            List<JsonObject> messages = new ArrayList<>();
            for (int u = 0; u < uids; u++) {
                if (round <= backlog(u, rounds)) {
                    messages.add(obj("uid", prefix + u, "data", obj("u", u, "n", round, "pad", "x".repeat(u * 40))));
                }
            }
            if (!messages.isEmpty()) {
                herald.api().post("/messages/batch", obj("messages", messages)).expect(202);
            }
        }
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int u = 0; u < uids; u++) {
                clients.add(herald.connectQuery("uid=" + prefix + u + "&since=0", true));
            }
            for (int u = 0; u < uids; u++) {
                WsClient client = clients.get(u);
                assertTrue(client.awaitFrame("replay", WAIT).getBoolean("recovered"));
                for (long seq = 1; seq <= backlog(u, rounds); seq++) {
                    JsonObject message = client.awaitMessage(WAIT);
                    assertEquals(seq, message.getJsonNumber("seq").longValue(), "uid " + u + ": in order, no gap");
                    assertEquals(u, message.getJsonObject("data").getInt("u"), "uid " + u + ": its own messages");
                    assertEquals(seq, message.getJsonObject("data").getInt("n"));
                }
            }
            for (WsClient client : clients) {
                client.assertNoMessage(Duration.ofMillis(100));
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    /** How many messages uid number {@code u} has stored: from one to nearly all rounds. */
    private static int backlog(int u, int rounds) {
        return 1 + (u * 67) % rounds;
    }

    @Test
    @Order(4)
    void aServerKilledWhilePushingLosesNothingItAcknowledged() throws Exception {
        List<String> uids = List.of("crash-a-" + System.nanoTime(), "crash-b-" + System.nanoTime(),
                "crash-c-" + System.nanoTime());
        Map<String, ConcurrentMap<Long, Integer>> acknowledged = new TreeMap<>();
        uids.forEach(uid -> acknowledged.put(uid, new ConcurrentHashMap<>()));
        AtomicBoolean serverGone = new AtomicBoolean();
        AtomicInteger accepted = new AtomicInteger();

        ExecutorService pushers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int pusher = p;
            running.add(pushers.submit(() -> {
                Api api = herald.api();
                // Bounded: at most 2000 pushes each, and only until the server is gone.
                for (int i = 0; i < 2000 && !serverGone.get(); i++) {
                    String uid = uids.get((pusher + i) % uids.size());
                    int payload = pusher * 100_000 + i;
                    Api.Response response;
                    try {
                        response = api.post("/uids/" + uid + "/messages", obj("data", payload));
                    } catch (AssertionError | RuntimeException e) {
                        return null; // connection refused or reset: the server is down
                    }
                    if (response.status() == 202) {
                        acknowledged.get(uid).put(response.object().getJsonNumber("seq").longValue(), payload);
                        accepted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted.get() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        node.kill();
        serverGone.set(true);
        for (Future<?> future : running) {
            future.get(2, TimeUnit.MINUTES);
        }
        pushers.shutdown();
        assertTrue(accepted.get() >= 300, "pushes were under way when the server was killed: " + accepted.get());

        long restarting = System.nanoTime();
        node.start(Duration.ofMinutes(3));
        // The figures for README's "Guarantees" table.
        System.out.printf("[%s crash] %d durable pushes answered 202 before the SIGKILL; the server answered again"
                        + " %d s after its start command%n", getClass().getSimpleName(), accepted.get(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restarting));
        for (String uid : uids) {
            Map<Long, Integer> expected = acknowledged.get(uid);
            try (WsClient client = herald.connectQuery("uid=" + uid + "&since=0", true)) {
                JsonObject replay = client.awaitFrame("replay", WAIT);
                assertTrue(replay.getBoolean("recovered"));
                long last = replay.getJsonNumber("seq").longValue();
                assertTrue(last >= expected.size(), "at least every acknowledged push is stored for " + uid);
                for (long seq = 1; seq <= last; seq++) {
                    JsonObject message = client.awaitMessage(WAIT);
                    assertEquals(seq, message.getJsonNumber("seq").longValue(), "no gap after the crash");
                    Integer payload = expected.get(seq);
                    if (payload != null) {
                        assertEquals((long) payload, message.getJsonNumber("data").longValue(),
                                "acknowledged seq " + seq + " of " + uid + " carries its own message");
                    }
                }
                assertTrue(expected.keySet().stream().allMatch(seq -> seq <= last),
                        "every acknowledged seq was delivered");
            }
        }
    }
}
