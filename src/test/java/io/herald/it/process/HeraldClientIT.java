package io.herald.it.process;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.client.Answer;
import io.herald.client.HeraldClient;
import io.herald.client.HeraldException;
import io.herald.client.Push;
import io.herald.client.QueueFullException;
import io.herald.client.Receipt;
import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client (client/) against a real WildFly with PostgreSQL, through a loopback proxy that can cut
 * every socket under it: durable pushes in flight at a cut are answered once and stored once; requests
 * beyond the queue's limit fail at once while the server is unreachable, and the queued ones go out when it
 * is back; and the client's answers are the REST API's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HeraldClientIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String PUSH_ONLY_KEY = "client-it-push-only";

    private EmbeddedPostgres postgres;
    private WildFlyNode node;
    private Herald herald;
    private CuttingProxy proxy;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        node = WildFlyNode.prepare(target.resolve("process-it/client-wildfly"), 2800,
                Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                        "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                .with(Map.of("herald.api.keys", Herald.KEY + "," + PUSH_ONLY_KEY + ":push"));
        node.start(Duration.ofMinutes(3));
        herald = Herald.at(node.url());
        proxy = CuttingProxy.to(node.httpPort(), Duration.ofMinutes(12));
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (herald != null) {
            herald.close();
        }
        if (node != null) {
            node.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private HeraldClient.Builder client(String key) {
        return HeraldClient.builder()
                .uri("http://127.0.0.1:" + proxy.port() + herald.contextPath() + "/")
                .apiKey(key)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .requestTimeout(WAIT);
    }

    @Test
    @Order(1)
    void durablePushesInFlightAtCutsAreAnsweredOnceAndStoredOnce() throws Exception {
        int connectionsBefore = proxy.connections();
        List<String> atCuts = new ArrayList<>();
        PacedPushes run = new PacedPushes("client-cut-" + System.nanoTime() + "-", 20, 2000);
        try (HeraldClient client = client(Herald.KEY).build()) {
            get(client.stats()); // connected
            run.start(client);
            for (int threshold : new int[] {run.total / 4, run.total * 3 / 4}) {
                run.awaitFired(threshold);
                int answeredBefore = run.answered.get();
                proxy.cut();
                assertTrue(answeredBefore < run.fired.get(), "pushes were unanswered at the cut: " + answeredBefore
                        + " answered of " + run.fired.get());
                atCuts.add(answeredBefore + "/" + run.fired.get());
            }
            run.awaitAll();
        }
        assertTrue(proxy.connections() - connectionsBefore >= 3,
                "the client reconnected after each cut: " + (proxy.connections() - connectionsBefore)
                        + " connections; answered/made at the cuts: " + atCuts);
        run.assertAnsweredOnceAndStoredOnce(herald.api());
    }

    @Test
    @Order(4)
    void pushesAcrossADrainOfTheNodeAreAnsweredOnceAndStoredOnce() throws Exception {
        Api api = herald.api();
        int connectionsBefore = proxy.connections();
        PacedPushes run = new PacedPushes("client-drain-" + System.nanoTime() + "-", 5, 600);
        try (HeraldClient client = client(Herald.KEY).build()) {
            get(client.stats());
            run.start(client);
            run.awaitFired(run.total / 4);
            try {
                // The channel answers what it accepted, 503 draining to the rest, then closes with 1012; the
                // handshake is refused with 503 while the node drains.
                api.post("/node/drain", JsonValue.EMPTY_JSON_OBJECT).expect(202);
                run.awaitFired(run.total);
                Thread.sleep(1000);
                assertTrue(run.answered.get() < run.total, "pushes wait while the node drains: "
                        + run.answered.get() + " answered");
            } finally {
                api.delete("/node/drain").expect(200);
            }
            run.awaitAll();
        }
        assertTrue(proxy.connections() - connectionsBefore >= 2, "the client reconnected after the drain");
        run.assertAnsweredOnceAndStoredOnce(api);
    }

    /**
     * Durable pushes to {@code uids} uids, made on a thread of their own at about two a millisecond, so that
     * pushes are being sent and answered when a test breaks something (all at once, they could all be answered
     * before); each push's completions, receipt and failure are recorded.
     */
    private static final class PacedPushes {
        final String prefix;
        final int uids;
        final int total;
        final AtomicIntegerArray completions;
        final AtomicReferenceArray<Receipt> receipts;
        final AtomicReferenceArray<Throwable> failures;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger fired = new AtomicInteger();
        final List<CompletableFuture<?>> all = new ArrayList<>();
        private Thread pusher;

        PacedPushes(String prefix, int uids, int total) {
            this.prefix = prefix;
            this.uids = uids;
            this.total = total;
            completions = new AtomicIntegerArray(total);
            receipts = new AtomicReferenceArray<>(total);
            failures = new AtomicReferenceArray<>(total);
        }

        void start(HeraldClient client) {
            pusher = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    int n = i;
                    all.add(client.pushToUid(prefix + (n % uids), obj("n", n)).whenComplete((receipt, error) -> {
                        completions.incrementAndGet(n);
                        receipts.set(n, receipt);
                        failures.set(n, error);
                        answered.incrementAndGet();
                    }).toCompletableFuture());
                    fired.incrementAndGet();
                    LockSupport.parkNanos(500_000);
                }
            }, "client-it-pusher");
            pusher.setDaemon(true);
            pusher.start();
        }

        void awaitFired(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (fired.get() < count && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }

        void awaitAll() throws Exception {
            pusher.join(WAIT.toMillis());
            assertEquals(total, all.size(), "every push was made");
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Thread.sleep(500); // a second completion, were there one, would have the time to show
        }

        /** Every push answered once with a receipt, and each uid's stream holding each of its pushes once. */
        void assertAnsweredOnceAndStoredOnce(Api api) {
            for (int i = 0; i < total; i++) {
                assertEquals(1, completions.get(i), "push " + i + " completed exactly once");
                assertNull(failures.get(i), "push " + i + " failed: " + failures.get(i));
                assertNotNull(receipts.get(i).seq(), "push " + i + " has a seq");
            }
            Set<String> ids = new HashSet<>();
            for (int u = 0; u < uids; u++) {
                String uid = prefix + u;
                JsonObject history = api.get("/uids/" + Api.seg(uid) + "/messages?since=0&limit=1000").expect(200).object();
                List<JsonObject> messages = history.getJsonArray("messages").getValuesAs(JsonObject.class);
                assertEquals(total / uids, messages.size(), uid + " holds each of its pushes once: " + messages.size());
                Set<Integer> seen = new HashSet<>();
                for (int k = 0; k < messages.size(); k++) {
                    JsonObject message = messages.get(k);
                    assertEquals(k + 1, message.getJsonNumber("seq").longValue(), uid + ": gapless seqs from 1");
                    int n = message.getJsonObject("data").getInt("n");
                    assertEquals(u, n % uids, "message " + n + " is in its own uid's stream");
                    assertTrue(seen.add(n), uid + " stored push " + n + " twice");
                    Receipt receipt = receipts.get(n);
                    assertEquals(message.getString("id"), receipt.id(), "push " + n + ": the receipt names the stored message");
                    assertEquals(k + 1, receipt.seq(), "push " + n + ": the receipt's seq is the stored one");
                    assertTrue(ids.add(receipt.id()));
                }
            }
        }
    }

    @Test
    @Order(2)
    void pastTheQueueLimitRequestsFailAtOnceWhileTheServerIsAwayAndTheQueuedOnesGoOutWhenItIsBack()
            throws Exception {
        int limit = 50;
        String uid = "client-away-" + System.nanoTime();
        try (HeraldClient client = client(Herald.KEY).maxQueuedRequests(limit).build()) {
            client.stats().toCompletableFuture().get(30, TimeUnit.SECONDS); // connected
            proxy.refuse(true);
            proxy.cut();
            try {
                List<CompletableFuture<Receipt>> queued = new ArrayList<>();
                for (int i = 0; i < limit; i++) {
                    queued.add(client.pushToUid(uid, obj("n", i)).toCompletableFuture());
                }
                for (int i = 0; i < 10; i++) {
                    long before = System.nanoTime();
                    CompletableFuture<Receipt> over = client.pushToUid(uid, obj("over", i)).toCompletableFuture();
                    assertTrue(over.isCompletedExceptionally(), "a push past the queue's limit fails at once");
                    assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(1));
                    Throwable error = cause(over);
                    assertInstanceOf(QueueFullException.class, error);
                    assertEquals(HeraldException.QUEUE_FULL, ((HeraldException) error).code());
                    assertTrue(error.getMessage().contains("maxQueuedRequests " + limit), error.getMessage());
                }
                Thread.sleep(1000); // several reconnect attempts fail meanwhile
                assertTrue(queued.stream().noneMatch(CompletableFuture::isDone),
                        "the queued pushes wait while the server is unreachable");
                proxy.refuse(false);

                CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                Set<Long> seqs = new HashSet<>();
                for (CompletableFuture<Receipt> push : queued) {
                    seqs.add(push.get().seq());
                }
                assertEquals(limit, seqs.size(), "each queued push was stored once: " + seqs);
                assertEquals(limit, seqs.stream().mapToLong(Long::longValue).max().orElse(0), "seqs 1.." + limit);
            } finally {
                proxy.refuse(false);
            }
        }
        JsonObject history = herald.api().get("/uids/" + Api.seg(uid) + "/messages?since=0&limit=1000").expect(200).object();
        assertEquals(limit, history.getJsonArray("messages").size(), "the refused pushes were never sent");
    }

    @Test
    @Order(3)
    void theClientsAnswersAreTheRestApis() throws Exception {
        String uid = "client-twin-" + System.nanoTime();
        Api api = herald.api();
        try (HeraldClient client = client(Herald.KEY).build()) {
            // A push: the same answer, status and shape.
            Answer viaChannel = get(client.request("POST", "/uids/" + uid + "/messages", obj("data", "one")));
            Api.Response viaRest = api.post("/uids/" + uid + "/messages", obj("data", "two")).expect(202);
            assertEquals(viaRest.status(), viaChannel.status());
            assertEquals(viaRest.object().keySet(), viaChannel.object().keySet());
            assertEquals(1, viaChannel.object().getInt("seq"));
            assertEquals(2, viaRest.object().getInt("seq"));
            Receipt ephemeral = get(client.pushToUid(uid, Json.createValue(3), Push.ephemeral()));
            assertNull(ephemeral.seq(), "an ephemeral push has no seq");

            // A query: the same object.
            assertJsonEquals(api.get("/uids/" + uid).expect(200).object(), get(client.uid(uid)));
            assertJsonEquals(api.get("/uids/" + uid + "/messages?since=0&limit=10").expect(200).object(),
                    get(client.history(uid, 0, 10)));

            // Errors: a bad name, and a call the key has no scope for.
            String bad = "no spaces allowed";
            JsonObject restError = api.post("/uids/" + Api.seg(bad) + "/messages", obj("data", 1))
                    .expectError(400, "bad_uid").object();
            assertSameError(restError, failure(client.pushToUid(bad, Json.createValue(1))));
            assertSameError(restError, get(client.request("POST", "/uids/" + Api.seg(bad) + "/messages",
                    obj("data", 1))).object());

            HeraldException badJson = failure(client.pushToUid(uid, "{not json"));
            assertEquals(HeraldException.BAD_JSON, badJson.code(), "bad JSON text fails in the client");
        }
        try (HeraldClient pushOnly = client(PUSH_ONLY_KEY).build()) {
            JsonObject restError = api.withKey(PUSH_ONLY_KEY).get("/stats").expectError(403, "forbidden").object();
            assertSameError(restError, failure(pushOnly.stats()));
            assertNotNull(get(pushOnly.pushToUid(uid, "{\"allowed\":true}")).seq(), "the key's own scope works");
        }
        try (HeraldClient unknown = client("no-such-key").build()) {
            HeraldException refused = failure(unknown.stats());
            assertEquals(401, refused.status());
            assertEquals(401, api.withKey("no-such-key").get("/stats").status());
        }
    }

    private static void assertSameError(JsonObject rest, HeraldException error) {
        assertEquals(rest.getInt("status"), error.status());
        assertEquals(rest.getString("code"), error.code());
        assertTrue(error.getMessage().contains(rest.getString("message")), error.getMessage() + " vs " + rest);
    }

    private static void assertSameError(JsonObject rest, JsonObject channel) {
        assertJsonEquals(rest, channel);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static HeraldException failure(CompletionStage<?> stage) throws Exception {
        try {
            Object value = stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(HeraldException.class, e.getCause());
        }
    }

    private static Throwable cause(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
