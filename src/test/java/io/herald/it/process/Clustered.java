package io.herald.it.process;

import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import io.herald.it.support.WebhookReceiver;
import io.herald.it.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Herald nodes: real application servers run as child processes (subclasses choose the server), sharing a real PostgreSQL and joined by
 * their embedded Hazelcast members on loopback. Every addressing mode and presence query from every node;
 * then one node is killed with SIGKILL while durable pushes go on, its clients resume on another node with
 * nothing lost or duplicated, and it leaves presence within the configured bound.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
abstract class Clustered {

    // Generous: three servers and a database share the machine; the test is about correctness, not latency.
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int NODES = 3;
    private static final int FAILURE_TIMEOUT_SECONDS = 6;
    private static final int OFFLINE_DELAY_MILLIS = 500;

    private EmbeddedPostgres postgres;
    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final List<AppServer> servers = new ArrayList<>();
    private final List<Herald> nodes = new ArrayList<>();

    /**
     * Node {@code index} (0, 1, 2) of the cluster, not started: on the given PostgreSQL, with the given Herald
     * settings (the cluster's members, its Hazelcast port, webhooks) as system properties.
     */
    abstract AppServer node(int index, Path target, int postgresPort, Map<String, String> settings) throws Exception;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        String members = "127.0.0.1:5801,127.0.0.1:5802,127.0.0.1:5803";
        for (int i = 0; i < NODES; i++) {
            servers.add(node(i, target, postgres.getPort(), Map.of(
                    "herald.cluster.enabled", "true",
                    "herald.cluster.name", "herald-it",
                    "herald.cluster.interface", "127.0.0.1",
                    "herald.cluster.port", String.valueOf(5801 + i),
                    "herald.cluster.members", members,
                    "herald.cluster.failure-timeout-seconds", String.valueOf(FAILURE_TIMEOUT_SECONDS),
                    "herald.webhook.url", receiver.url(),
                    "herald.webhook.secret", "process-it-webhook-secret-0123456789",
                    "herald.webhook.events", "uid.online,uid.offline",
                    "herald.webhook.offline-delay-ms", String.valueOf(OFFLINE_DELAY_MILLIS))));
        }
        ExecutorService starting = Executors.newFixedThreadPool(NODES);
        List<Future<?>> started = new ArrayList<>();
        for (AppServer server : servers) {
            started.add(starting.submit(() -> {
                server.start(Duration.ofMinutes(4));
                return null;
            }));
        }
        for (Future<?> future : started) {
            future.get(5, TimeUnit.MINUTES);
        }
        starting.shutdown();
        for (AppServer server : servers) {
            nodes.add(Herald.at(server.url()));
        }
        for (Herald node : nodes) {
            eventually(Duration.ofSeconds(60), () ->
                    assertEquals(NODES, node.api().stats().getInt("nodes"), "all nodes joined the cluster"));
        }
    }

    @AfterAll
    void stop() throws Exception {
        nodes.forEach(Herald::close);
        for (AppServer server : servers) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        receiver.close();
    }

    private Api api(int node) {
        return nodes.get(node).api();
    }

    private static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    @Test
    @Order(1)
    void everyAddressingModeWorksFromEveryNode() {
        String alice = unique("alice");
        String bob = unique("bob");
        String room = unique("room");
        WsClient alice1 = nodes.get(0).connect(alice);
        WsClient alice2 = nodes.get(1).connect(alice);
        WsClient bob3 = nodes.get(2).connect(bob);
        WsClient anonymous2 = nodes.get(1).connect(null);
        List<WsClient> everyone = List.of(alice1, alice2, bob3, anonymous2);
        for (WsClient client : List.of(alice1, alice2, bob3)) {
            client.awaitFrame("replay", WAIT);
        }

        for (int from = 0; from < NODES; from++) {
            // A durable push to a uid reaches its clients on both nodes, and nobody else.
            JsonObject stored = api(from).post("/uids/" + alice + "/messages", obj("data", "to alice via " + from))
                    .expect(202).object();
            long seq = stored.getJsonNumber("seq").longValue();
            for (WsClient client : List.of(alice1, alice2)) {
                JsonObject message = client.awaitMessage(WAIT);
                assertEquals(seq, message.getJsonNumber("seq").longValue());
                assertEquals("to alice via " + from, message.getString("data"));
            }
            // One client, on whichever node.
            for (WsClient client : everyone) {
                api(from).post("/clients/" + client.clientId() + "/messages", obj("data", "direct " + from)).expect(202);
                assertEquals("direct " + from, client.awaitMessage(WAIT).getString("data"));
            }
            // Everyone but the excluded, exactly once each.
            api(from).post("/broadcast", obj("data", "all " + from, "exclude", arr(bob3.clientId()))).expect(202);
            for (WsClient client : List.of(alice1, alice2, anonymous2)) {
                assertEquals("all " + from, client.awaitMessage(WAIT).getString("data"));
            }
        }
        for (WsClient client : everyone) {
            client.assertNoMessage(Duration.ofMillis(300));
        }

        // Groups across nodes, joined through a node that does not hold the client.
        api(2).put("/groups/" + room + "/clients/" + alice1.clientId(), obj()).expect(204);
        api(0).put("/groups/" + room + "/clients/" + bob3.clientId(), obj()).expect(204);
        api(1).put("/groups/" + room + "/clients/" + anonymous2.clientId(), obj()).expect(204);
        for (int from = 0; from < NODES; from++) {
            JsonObject group = api(from).get("/groups/" + room).expect(200).object();
            assertEquals(3, group.getInt("clientCount"));
            assertEquals(Set.of(alice, bob), Set.copyOf(group.getJsonArray("uids").getValuesAs(
                    v -> ((jakarta.json.JsonString) v).getString())));
            assertTrue(api(from).get("/groups").expect(200).object().getJsonArray("groups").toString().contains(room));
            api(from).post("/groups/" + room + "/messages", obj("data", "room " + from,
                    "exclude", arr(anonymous2.clientId()))).expect(202);
            assertEquals("room " + from, alice1.awaitMessage(WAIT).getString("data"));
            assertEquals("room " + from, bob3.awaitMessage(WAIT).getString("data"));
        }
        anonymous2.assertNoMessage(Duration.ofMillis(300));
        alice2.assertNoMessage(Duration.ofMillis(100));

        // A list of targets reaches each once.
        api(1).post("/messages", obj("to", obj("clients", arr(bob3.clientId(), alice1.clientId()),
                "groups", arr(room)), "data", "list", "durable", false)).expect(202);
        for (WsClient client : List.of(alice1, bob3, anonymous2)) {
            assertEquals("list", client.awaitMessage(WAIT).getString("data"));
        }
        for (WsClient client : everyone) {
            client.assertNoMessage(Duration.ofMillis(300));
        }
    }

    @Test
    @Order(2)
    void presenceSessionsAndClosingAreClusterWide() {
        String carol = unique("carol");
        WsClient carol1 = nodes.get(0).connect(carol);
        WsClient carol3 = nodes.get(2).connect(carol);
        WsClient other2 = nodes.get(1).connect(null);
        carol1.awaitFrame("replay", WAIT);
        carol3.awaitFrame("replay", WAIT);

        for (int from = 0; from < NODES; from++) {
            JsonObject uid = api(from).get("/uids/" + carol).expect(200).object();
            assertTrue(uid.getBoolean("online"));
            assertEquals(Set.of(carol1.clientId(), carol3.clientId()), Set.copyOf(uid.getJsonArray("clientIds")
                    .getValuesAs(v -> ((jakarta.json.JsonString) v).getString())));
            JsonObject client = api(from).get("/clients/" + carol3.clientId()).expect(200).object();
            assertEquals(carol, client.getString("uid"));
            assertTrue(api(from).stats().getInt("clients") >= 3);
        }

        // Bind through another node; sessions through a third.
        api(2).put("/clients/" + other2.clientId() + "/uid", obj("uid", carol)).expect(204);
        other2.awaitFrame("replay", WAIT);
        eventually(WAIT, () -> assertEquals(3, api(0).get("/uids/" + carol).expect(200).object()
                .getJsonArray("clientIds").size()));
        api(0).put("/clients/" + other2.clientId() + "/session", obj("plan", "pro", "n", 1)).expect(204);
        api(2).patch("/clients/" + other2.clientId() + "/session", obj("n", null)).expect(204);
        assertEquals(obj("plan", "pro"), api(1).get("/clients/" + other2.clientId() + "/session").expect(200).object());

        // Close one client through another node, then all of a uid.
        api(1).delete("/clients/" + carol1.clientId(), obj("data", "bye")).expect(204);
        assertEquals("bye", carol1.awaitMessage(WAIT).getString("data"));
        carol1.assertClosedWith(4100, WAIT);
        assertEquals(2, api(0).delete("/uids/" + carol + "/clients").expect(200).object().getInt("closed"));
        carol3.assertClosedWith(4100, WAIT);
        other2.assertClosedWith(4100, WAIT);
        for (int from = 0; from < NODES; from++) {
            int node = from;
            eventually(WAIT, () -> assertFalse(api(node).get("/uids/" + carol).expect(200).object().getBoolean("online")));
        }
        api(2).get("/clients/" + carol1.clientId()).expectError(404, "client_not_found");
    }

    @Test
    @Order(3)
    void aKilledNodesClientsResumeElsewhereWithNothingLostAndTheNodeLeavesPresence() throws Exception {
        String dave = unique("dave");
        String erin = unique("erin");
        WsClient dave3 = nodes.get(2).connect(dave);
        WsClient erin3 = nodes.get(2).connect(erin);
        dave3.awaitFrame("replay", WAIT);
        erin3.awaitFrame("replay", WAIT);

        Map<Long, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        ExecutorService pusher = Executors.newSingleThreadExecutor();
        Future<?> pushes = pusher.submit(() -> {
            // Bounded: at most 1500 pushes, through node 1, until the test says stop.
            for (int i = 1; i <= 1500 && pushing.get(); i++) {
                Api.Response response = api(0).post("/uids/" + dave + "/messages", obj("data", i));
                if (response.status() == 202) {
                    acknowledged.put(response.object().getJsonNumber("seq").longValue(), i);
                }
                Thread.sleep(5);
            }
            return null;
        });

        long processed = 0;
        while (processed < 50) {
            JsonObject message = dave3.awaitMessage(WAIT);
            assertEquals(processed + 1, message.getJsonNumber("seq").longValue());
            processed++;
        }
        long killedAt = System.nanoTime();
        servers.get(2).kill();
        dave3.awaitClose(WAIT);

        // The browser would reconnect to another node with its position.
        WsClient dave1 = nodes.get(0).connectQuery("uid=" + dave + "&since=" + processed, true);
        JsonObject replay = dave1.awaitFrame("replay", WAIT);
        assertTrue(replay.getBoolean("recovered"));
        assertEquals(processed, replay.getJsonNumber("since").longValue());
        Thread.sleep(1500);
        pushing.set(false);
        pushes.get(1, TimeUnit.MINUTES);
        pusher.shutdown();

        long last = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long seq = processed + 1; seq <= last; seq++) {
            JsonObject message = dave1.awaitMessage(WAIT);
            assertEquals(seq, message.getJsonNumber("seq").longValue(), "no gap, no duplicate across the failover");
            Integer payload = acknowledged.get(seq);
            if (payload != null) {
                assertEquals((long) payload, message.getJsonNumber("data").longValue());
            }
        }
        dave1.assertNoMessage(Duration.ofMillis(500));
        assertEquals(last, acknowledged.size(), "every acknowledged seq from 1 to " + last + " was pushed");

        // The dead node's clients leave presence within the failure timeout (plus a margin to observe it).
        for (int from = 0; from < 2; from++) {
            int node = from;
            eventually(Duration.ofSeconds(10), () -> {
                assertFalse(api(node).get("/uids/" + erin).expect(200).object().getBoolean("online"));
                assertEquals(2, api(node).stats().getInt("nodes"));
            });
        }
        long goneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        long gone = TimeUnit.MILLISECONDS.toSeconds(goneMillis);
        assertTrue(gone <= 10, "the dead node left presence after " + gone + " s; the bound is 10 s");
        api(0).get("/clients/" + erin3.clientId()).expectError(404, "client_not_found");

        // A survivor reports the uid that had clients only on the dead node offline, without waiting for a
        // node to start: within the failure timeout and the offline delay (plus a margin to observe it).
        WebhookReceiver.Request offline = receiver.awaitDelivered(r -> r.type().equals("uid.offline") && erin.equals(r.uid()), WAIT);
        long reported = TimeUnit.NANOSECONDS.toSeconds(offline.receivedNanos - killedAt);
        // The figures for README's "Guarantees" table.
        System.out.printf("[%s node loss] %d acknowledged durable pushes, all delivered once in seq order after the"
                        + " resume; presence dropped the dead node within %d ms; uid.offline %d ms after the kill%n",
                getClass().getSimpleName(), acknowledged.size(), goneMillis,
                TimeUnit.NANOSECONDS.toMillis(offline.receivedNanos - killedAt));
        assertTrue(reported <= FAILURE_TIMEOUT_SECONDS + 10, "uid.offline of " + erin + " after " + reported + " s");
        assertEquals(1, receiver.requests(r -> r.type().equals("uid.offline") && erin.equals(r.uid()) && r.delivered())
                .size(), "reported once");
        assertTrue(receiver.requests(r -> r.type().equals("uid.offline") && dave.equals(r.uid())).isEmpty(),
                dave + " is online on another node: not reported offline");
        assertTrue(api(1).stats().getInt("clients") >= 1);
        assertEquals(Set.of(), api(1).get("/uids/" + erin).expect(200).object().getJsonArray("clientIds")
                .stream().collect(Collectors.toSet()));
    }

    @Test
    @Order(4)
    void theKilledNodeRestartsAndRejoins() throws Exception {
        servers.get(2).start(Duration.ofMinutes(4));
        for (Herald node : nodes) {
            eventually(WAIT, () -> assertEquals(NODES, node.api().stats().getInt("nodes"), "the node rejoined"));
        }
        String fran = unique("fran");
        try (WsClient fran3 = nodes.get(2).connect(fran)) {
            fran3.awaitFrame("replay", WAIT);
            eventually(WAIT, () -> assertTrue(api(0).get("/uids/" + fran).expect(200).object().getBoolean("online")));
            api(0).post("/uids/" + fran + "/messages", obj("data", "welcome back", "durable", false)).expect(202);
            assertEquals("welcome back", fran3.awaitMessage(WAIT).getString("data"));
        }
    }
}
