package io.herald.it.process;

import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WebhookReceiver;
import io.herald.it.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node lost under load: three WildFly nodes on one PostgreSQL, 3,000 WebSocket clients spread over them by
 * a round-robin balancer, a durable and an ephemeral pusher going through the same balancer; one node is
 * killed with SIGKILL mid-run. Its clients reconnect through the balancer to the survivors and resume their
 * durable streams; every durable push answered 202 reaches every client of its uid exactly once, in seq
 * order; every ephemeral push answered 202 reaches each client that stayed connected exactly once; the dead
 * node leaves presence within the failure timeout; a survivor reports the uids that had clients only there
 * offline, each once, and no uid that kept a client elsewhere. Then the node is started again and rejoins. The figures (what pushers and clients saw, and how
 * long each step took) are printed for README's "Guarantees" table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NodeLossIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int NODES = 3;
    /** Ports apart from the other process tests': HTTP 11080, 11180, 11280. */
    private static final int PORT_OFFSET = 3000;
    private static final int HAZELCAST_PORT = 5841;
    private static final int FAILURE_TIMEOUT_SECONDS = 6;
    private static final int OFFLINE_DELAY_MILLIS = 500;
    /**
     * Observing presence takes time on top of the product's bound (the failure timeout): Hazelcast's
     * heartbeat period (1 s) before the timeout counts, and this test's polling on a busy machine.
     */
    private static final int MARGIN_SECONDS = 4;
    /** The victim: the last node (index 2). */
    private static final int VICTIM = 2;

    // The population: 3,000 clients on 1,550 uids. Uids with one, two and three clients, so that some have
    // all their clients on the victim and others have some elsewhere; leavers do not come back.
    private static final int LEAVER_UIDS = 300;
    private static final int SINGLE_UIDS = 300;
    private static final int DOUBLE_UIDS = 450;
    private static final int TRIPLE_UIDS = 500;
    private static final int CLIENTS = LEAVER_UIDS + SINGLE_UIDS + 2 * DOUBLE_UIDS + 3 * TRIPLE_UIDS;
    private static final int CONNECTING_AT_ONCE = 48;

    /** Pushes under load before the kill, and after the clients resumed and presence settled. */
    private static final Duration BEFORE_KILL = Duration.ofSeconds(8);
    private static final Duration AFTER_SETTLED = Duration.ofSeconds(3);

    private EmbeddedPostgres postgres;
    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final List<WildFlyNode> servers = new ArrayList<>();
    private final List<Herald> nodes = new ArrayList<>();
    private final List<String> nodeIds = new ArrayList<>();
    private RoundRobinBalancer balancer;
    private final ExecutorService wsThreads = Executors.newFixedThreadPool(4);
    private final HttpClient wsHttp = HttpClient.newBuilder().executor(wsThreads).build();
    private final HttpClient pushHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<LoadClient> clients = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        String members = "127.0.0.1:" + HAZELCAST_PORT + ",127.0.0.1:" + (HAZELCAST_PORT + 1)
                + ",127.0.0.1:" + (HAZELCAST_PORT + 2);
        for (int i = 0; i < NODES; i++) {
            servers.add(WildFlyNode.prepare(target.resolve("process-it/node-loss-" + (i + 1)), PORT_OFFSET + 100 * i,
                            Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                                    "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                            Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                            Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                    .with(Map.ofEntries(
                            Map.entry("herald.cluster.enabled", "true"),
                            Map.entry("herald.cluster.name", "herald-node-loss"),
                            Map.entry("herald.cluster.interface", "127.0.0.1"),
                            Map.entry("herald.cluster.port", String.valueOf(HAZELCAST_PORT + i)),
                            Map.entry("herald.cluster.members", members),
                            Map.entry("herald.cluster.failure-timeout-seconds", String.valueOf(FAILURE_TIMEOUT_SECONDS)),
                            // Every client comes from 127.0.0.1: the per-address handshake limit would refuse them.
                            Map.entry("herald.limits.connections-per-address-per-second", "0"),
                            Map.entry("herald.webhook.url", receiver.url()),
                            Map.entry("herald.webhook.secret", "node-loss-it-webhook-secret-0123456789"),
                            Map.entry("herald.webhook.events", "uid.online,uid.offline"),
                            Map.entry("herald.webhook.offline-delay-ms", String.valueOf(OFFLINE_DELAY_MILLIS)))));
        }
        ExecutorService starting = Executors.newFixedThreadPool(NODES);
        List<Future<?>> started = new ArrayList<>();
        for (WildFlyNode server : servers) {
            started.add(starting.submit(() -> {
                server.start(Duration.ofMinutes(4));
                return null;
            }));
        }
        for (Future<?> future : started) {
            future.get(5, TimeUnit.MINUTES);
        }
        starting.shutdown();
        for (WildFlyNode server : servers) {
            Herald node = Herald.at(server.url());
            nodes.add(node);
            nodeIds.add(node.api().get("/node").expect(200).object().getString("nodeId"));
        }
        for (Herald node : nodes) {
            eventually(WAIT, () -> assertEquals(NODES, node.api().stats().getInt("nodes"), "all nodes joined"));
        }
        balancer = RoundRobinBalancer.to(servers.stream().map(WildFlyNode::httpPort).toList(), 2 * CLIENTS);
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(LoadClient::stop);
        if (balancer != null) {
            balancer.close();
        }
        timers.shutdownNow();
        wsThreads.shutdownNow();
        nodes.forEach(Herald::close);
        for (WildFlyNode server : servers) {
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

    private URI throughBalancer(String path) {
        return URI.create("http://127.0.0.1:" + balancer.port() + "/herald/" + path);
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    @Test
    @Order(1)
    void aNodeKilledUnderLoadLosesNothingAcknowledgedAndLeavesPresenceAndTheWebhooksSaySo() throws Exception {
        try {
            nodeLossUnderLoad();
        } finally {
            clients.forEach(LoadClient::stop); // the restart below has its own clients
        }
    }

    private void nodeLossUnderLoad() throws Exception {
        URI ws = URI.create("ws://127.0.0.1:" + balancer.port() + "/herald/");
        String run = Names.unique("nl");
        List<String> stayingUids = new ArrayList<>();
        // {uids, clients per uid, 1 for leavers}
        int[][] shapes = {{LEAVER_UIDS, 1, 1}, {SINGLE_UIDS, 1, 0}, {DOUBLE_UIDS, 2, 0}, {TRIPLE_UIDS, 3, 0}};
        for (int[] shape : shapes) {
            for (int u = 0; u < shape[0]; u++) {
                String uid = run + "-" + shape[1] + (shape[2] == 1 ? "l" : "s") + "-" + u;
                if (shape[2] == 0) {
                    stayingUids.add(uid);
                }
                for (int c = 0; c < shape[1]; c++) {
                    clients.add(new LoadClient(uid, shape[2] == 1, ws, wsHttp, timers, failures));
                }
            }
        }
        assertEquals(3000, CLIENTS);

        // Connect them all, a few dozen at a time, in random order so that a uid's clients land anywhere.
        long connecting = System.nanoTime();
        List<LoadClient> order = new ArrayList<>(clients);
        Collections.shuffle(order);
        Semaphore slots = new Semaphore(CONNECTING_AT_ONCE);
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (LoadClient client : order) {
            slots.acquire();
            ready.add(client.start().whenComplete((v, e) -> slots.release()));
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
        double connectSeconds = seconds(connecting, System.nanoTime());
        eventually(WAIT, () -> assertEquals(CLIENTS, api(0).stats().getInt("clients"), "every client is in presence"));
        Map<String, Long> perNode = clients.stream().collect(Collectors.groupingBy(LoadClient::node, Collectors.counting()));
        log("%d clients on %d uids connected through the balancer in %.1f s: %s per node (balancer: %s)",
                CLIENTS, stayingUids.size() + LEAVER_UIDS, connectSeconds, perNode, balancer.passed());
        for (String id : nodeIds) {
            assertTrue(perNode.getOrDefault(id, 0L) > CLIENTS / 6, "the balancer spread the clients: " + perNode);
        }

        String victim = nodeIds.get(VICTIM);
        List<LoadClient> onVictim = clients.stream().filter(c -> victim.equals(c.node())).toList();
        Map<String, List<LoadClient>> byUid = clients.stream().collect(Collectors.groupingBy(LoadClient::uid));
        // The uids whose every client is a leaver on the victim go offline with it; every other uid keeps
        // or gets back a client somewhere.
        Set<String> goneOffline = byUid.entrySet().stream()
                .filter(e -> e.getValue().stream().allMatch(c -> c.leaver() && victim.equals(c.node())))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertFalse(goneOffline.isEmpty(), "some leavers are on the victim");

        URI pushApi = throughBalancer("api/");
        LoadPusher durable = new LoadPusher(true, pushApi, Herald.KEY, stayingUids, 3000, 20, pushHttp);
        LoadPusher ephemeral = new LoadPusher(false, pushApi, Herald.KEY, stayingUids, 3000, 20, pushHttp);
        ExecutorService pushing = Executors.newFixedThreadPool(2);
        Future<?> durablePushes = pushing.submit(durable);
        Future<?> ephemeralPushes = pushing.submit(ephemeral);
        Thread.sleep(BEFORE_KILL.toMillis());
        // The uid.offline bound checked below is the product's for an outbox with nothing ahead of the dead
        // node's uids (README: a slower machine adds the time the events ahead take to send); so the connects'
        // uid.online events are all sent before the kill, however long that takes here.
        long uids = clients.stream().map(LoadClient::uid).distinct().count();
        long waitingForOnline = System.nanoTime();
        eventually(WAIT, () -> assertEquals(uids, onlineReported(), "uids reported online before the kill"));
        double onlineWait = seconds(waitingForOnline, System.nanoTime());

        long killedAt = System.nanoTime();
        long killedAtMillis = System.currentTimeMillis(); // the events' times are the servers' clocks: this machine's
        servers.get(VICTIM).kill();
        log("uid.online webhooks of all %d uids delivered before the kill (%.1f s after the %d s of load)", uids,
                onlineWait, BEFORE_KILL.toSeconds());

        // Presence: the survivors count two nodes and a few of the uids that went offline are offline, polled
        // so that the time is the product's, not that of sweeping every uid (the dead node's entries all
        // leave together, when the cluster removes the member); then every one of them is checked once.
        List<String> sample = goneOffline.stream().sorted().limit(3).toList();
        long presenceDropped = awaitNanos(Duration.ofSeconds(FAILURE_TIMEOUT_SECONDS + 30), () -> {
            assertEquals(2, api(0).stats().getInt("nodes"));
            for (String uid : sample) {
                assertFalse(api(0).get("/uids/" + uid).expect(200).object().getBoolean("online"), uid + " is online");
            }
        });
        for (String uid : goneOffline) {
            assertFalse(api(1).get("/uids/" + uid).expect(200).object().getBoolean("online"), uid + " is still online");
        }
        // The list of online uids leaves the dead node out as presence does, before the oldest survivor has
        // removed its entries from the cluster's index (one cluster call per entry). Measured after the checks
        // above, so the figure includes their time.
        long listed = awaitNanos(WAIT, () -> {
            Set<String> online = onlineUids(api(0));
            assertTrue(goneOffline.stream().noneMatch(online::contains), "the dead node's uids are still listed");
        });
        // Every client of the victim but the leavers resumes on a survivor.
        List<LoadClient> resuming = onVictim.stream().filter(c -> !c.leaver()).toList();
        awaitNanos(WAIT, () -> assertTrue(resuming.stream().allMatch(LoadClient::resumed),
                resuming.stream().filter(c -> !c.resumed()).count() + " clients of the dead node have not resumed"));
        long allResumed = resuming.stream().mapToLong(LoadClient::resumedAtNanos).max().orElse(killedAt);
        long firstDrop = onVictim.stream().mapToLong(LoadClient::droppedAtNanos).min().orElse(killedAt);
        // The uid.offline events of the uids that went offline, each once, from a survivor, within the bound
        // checked below (when they arrived is what the receiver recorded, not when this wait saw them).
        long webhooksIn = awaitNanos(Duration.ofSeconds(90),
                () -> assertTrue(allOfflineDelivered(goneOffline), "uid.offline of every uid that went offline"));
        List<WebhookReceiver.Request> offlineRequests = receiver.requests(r -> r.type().equals("uid.offline")
                && goneOffline.contains(r.uid()));
        long lastOffline = offlineRequests.stream().filter(WebhookReceiver.Request::delivered)
                .mapToLong(r -> r.receivedNanos).max().orElseThrow();
        String offlineSteps = offlineSteps(offlineRequests, killedAt, killedAtMillis);

        Thread.sleep(AFTER_SETTLED.toMillis());
        durable.stop();
        ephemeral.stop();
        durablePushes.get(1, TimeUnit.MINUTES);
        ephemeralPushes.get(1, TimeUnit.MINUTES);
        pushing.shutdown();

        // Every durable push answered 202 reaches every client of its uid but the leavers, by seq, exactly once.
        List<LoadClient> staying = clients.stream().filter(c -> !c.leaver()).toList();
        eventually(WAIT, () -> {
            for (LoadClient client : staying) {
                long last = durable.acceptedSeqs(client.uid()).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
                assertTrue(client.lastSeq() >= last, client.uid() + " is at seq " + client.lastSeq() + " of " + last);
            }
        });
        int durableDeliveries = 0;
        int ephemeralLost = 0;
        int ephemeralMissedByResumed = 0;
        for (LoadClient client : staying) {
            for (Map.Entry<Long, Integer> pushed : durable.acceptedSeqs(client.uid()).entrySet()) {
                assertEquals(pushed.getValue(), client.durable(pushed.getKey()),
                        client.uid() + ": seq " + pushed.getKey() + " is the push answered with it");
                durableDeliveries++;
            }
            // Ephemeral messages reach the clients online when they are sent, at most once: a client that
            // stayed connected has every one, a resumed one misses those sent while it was away.
            for (int n : ephemeral.acceptedEphemeral(client.uid())) {
                int count = client.ephemeralCount(n);
                if (count == 0 && client.drops() == 0) {
                    ephemeralLost++;
                } else if (count == 0) {
                    ephemeralMissedByResumed++;
                }
            }
        }

        // A uid with a client on a survivor all along is never reported offline. A uid whose every client was
        // on the dead node and came back is offline between the kill and the reconnect: reported offline if
        // that lasted past the survivor's check, then online again when the client is back (PROTOCOL.md: a
        // client moving at the very moment of the check may leave uid.offline as the last event).
        Set<String> keptAClient = byUid.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(c -> c.drops() == 0)) // on a survivor throughout
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> cameBack = byUid.entrySet().stream()
                .filter(e -> !goneOffline.contains(e.getKey()) && !keptAClient.contains(e.getKey()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Map<String, List<String>> presenceEvents = new HashMap<>();
        for (WebhookReceiver.Request request : receiver.requests(r -> r.delivered() && r.receivedNanos >= killedAt)) {
            presenceEvents.computeIfAbsent(request.uid(), u -> new ArrayList<>()).add(request.type());
        }
        List<String> wronglyOffline = keptAClient.stream()
                .filter(uid -> presenceEvents.getOrDefault(uid, List.of()).contains("uid.offline")).toList();
        long cameBackReported = cameBack.stream()
                .filter(uid -> presenceEvents.getOrDefault(uid, List.of()).contains("uid.offline")).count();
        long cameBackLastOffline = cameBack.stream().filter(uid -> {
            List<String> events = presenceEvents.getOrDefault(uid, List.of());
            return !events.isEmpty() && events.get(events.size() - 1).equals("uid.offline");
        }).count();

        List<LoadPusher.Answer> duringLoss = new ArrayList<>();
        List<LoadPusher.Answer> all = new ArrayList<>(durable.answers());
        all.addAll(ephemeral.answers());
        for (LoadPusher.Answer answer : all) {
            if (answer.atNanos() >= killedAt && answer.atNanos() <= presenceDropped) {
                duringLoss.add(answer);
            }
        }
        log("killed node %d (%s, %d clients: %d resume, %d leavers); pushes answered during the loss (kill to presence drop): %s",
                VICTIM + 1, victim, onVictim.size(), resuming.size(), onVictim.size() - resuming.size(), outcomes(duringLoss));
        log("pushes over the whole run: durable %s, ephemeral %s; not 202: %s", outcomes(durable.answers()),
                outcomes(ephemeral.answers()), all.stream().filter(a -> a.outcome() != LoadPusher.Outcome.ACCEPTED)
                        .map(LoadPusher.Answer::detail).distinct().limit(5).toList());
        log("clients lost %d (first close seen %.2f s after the kill), resumed %d, all resumed %.2f s after the kill",
                onVictim.size(), seconds(killedAt, firstDrop), resuming.size(), seconds(killedAt, allResumed));
        log("presence dropped the dead node %.2f s after the kill (failure timeout %d s), GET /api/uids %.2f s after;"
                        + " %d uid.offline webhooks, the last %.2f s after the kill (seen by the test at %.2f s; offline"
                        + " delay %d ms)", seconds(killedAt, presenceDropped), FAILURE_TIMEOUT_SECONDS,
                seconds(killedAt, listed), goneOffline.size(),
                seconds(killedAt, lastOffline), seconds(killedAt, webhooksIn), OFFLINE_DELAY_MILLIS);
        log("uid.offline, when each step was latest after the kill: %s", offlineSteps);
        log("durable deliveries checked %d, rules broken %d (gaps, duplicates, failed resumes); ephemeral pushes missed"
                        + " by resumed clients while away %d (at most once, as documented), by clients connected throughout %d",
                durableDeliveries, failures.size(), ephemeralMissedByResumed, ephemeralLost);
        log("uids whose every client was on the dead node and came back: %d, of which %d reported offline meanwhile"
                        + " (%d with uid.offline as their last event); uids with a client elsewhere reported offline: %d",
                cameBack.size(), cameBackReported, cameBackLastOffline, wronglyOffline.size());

        assertTrue(failures.isEmpty(), failures.size() + " rules broken, e.g. " + failures.stream().limit(10).toList());
        assertEquals(0, ephemeralLost, "ephemeral pushes answered 202 that a client connected throughout missed");
        assertEquals(List.of(), wronglyOffline, "uids reported offline though they had a client on a survivor");
        for (String uid : goneOffline) {
            assertEquals(1, receiver.requests(r -> r.type().equals("uid.offline") && uid.equals(r.uid()) && r.delivered())
                    .size(), uid + " reported offline once");
        }

        double presenceSeconds = seconds(killedAt, presenceDropped);
        assertTrue(presenceSeconds <= FAILURE_TIMEOUT_SECONDS + MARGIN_SECONDS, "presence dropped the dead node after "
                + presenceSeconds + " s; the bound is the failure timeout " + FAILURE_TIMEOUT_SECONDS + " s + "
                + MARGIN_SECONDS + " s");
        // The bound for uid.offline: the offline delay after the failure timeout, when a survivor learns
        // of the loss (the same margin for observing it).
        double offlineSeconds = seconds(killedAt, lastOffline);
        double offlineBound = FAILURE_TIMEOUT_SECONDS + OFFLINE_DELAY_MILLIS / 1000.0 + MARGIN_SECONDS;
        assertTrue(offlineSeconds <= offlineBound, "the last uid.offline came " + offlineSeconds
                + " s after the kill; the bound is the failure timeout + the offline delay + " + MARGIN_SECONDS + " s = "
                + offlineBound + " s; the steps: " + offlineSteps);
    }

    @Test
    @Order(2)
    void theKilledNodeRestartsRejoinsAndTakesClientsAndPushesAgain() throws Exception {
        long restarting = System.nanoTime();
        servers.get(VICTIM).start(Duration.ofMinutes(4));
        for (Herald node : nodes) {
            eventually(WAIT, () -> assertEquals(NODES, node.api().stats().getInt("nodes"), "the node rejoined"));
        }
        String newId = api(VICTIM).get("/node").expect(200).object().getString("nodeId");
        log("node %d restarted and rejoined (cluster size 3) %.1f s after the start command", VICTIM + 1,
                seconds(restarting, System.nanoTime()));

        // New clients through the balancer land on it too, and pushes from any node reach them.
        String uid = Names.unique("back");
        Herald balanced = Herald.at(throughBalancer("").toURL());
        List<WsClient> back = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            WsClient client = balanced.connect(uid);
            client.awaitFrame("replay", WAIT);
            back.add(client);
        }
        Set<String> landedOn = back.stream().map(c -> Names.node(c.clientId())).collect(Collectors.toSet());
        assertTrue(landedOn.contains(newId), "a client through the balancer landed on the restarted node: " + landedOn);
        eventually(WAIT, () -> assertEquals(NODES, api(0).get("/uids/" + uid).expect(200).object()
                .getJsonArray("clientIds").size()));
        for (int from = 0; from < NODES; from++) {
            JsonObject stored = api(from).post("/uids/" + uid + "/messages", obj("data", "from " + from)).expect(202).object();
            for (WsClient client : back) {
                JsonObject message = client.awaitMessage(WAIT);
                assertEquals(stored.getJsonNumber("seq").longValue(), message.getJsonNumber("seq").longValue());
                assertEquals("from " + from, message.getString("data"));
            }
        }
        balanced.close();
    }

    /**
     * Where the time to report a uid offline went, each the latest over these requests, in seconds after the
     * kill: when the survivor saw the uid's last client gone ({@code offlineSince}), when it made the event
     * ({@code createdAt}, after the offline delay and its check of the cluster), and when an attempt reached
     * the receiver; and how many attempts were not the first or were not answered 200.
     */
    private static String offlineSteps(List<WebhookReceiver.Request> requests, long killedAt, long killedAtMillis) {
        long since = requests.stream().mapToLong(r -> r.data().getJsonNumber("offlineSince").longValue()).max().orElse(0);
        long created = requests.stream().mapToLong(r -> r.json.getJsonNumber("createdAt").longValue()).max().orElse(0);
        long received = requests.stream().mapToLong(r -> r.receivedNanos).max().orElse(killedAt);
        long repeated = requests.size() - requests.stream().map(r -> r.eventId).distinct().count();
        long failed = requests.stream().filter(r -> !r.delivered()).count();
        return String.format("offlineSince %.2f s, createdAt %.2f s, received %.2f s; %d attempts repeated, %d not"
                        + " answered 200", (since - killedAtMillis) / 1e3, (created - killedAtMillis) / 1e3,
                seconds(killedAt, received), repeated, failed);
    }

    private long onlineReported() {
        return receiver.requests(r -> r.delivered() && r.type().equals("uid.online")).stream()
                .map(WebhookReceiver.Request::uid).distinct().count();
    }

    private boolean allOfflineDelivered(Set<String> uids) {
        Set<String> reported = receiver.requests(r -> r.delivered() && r.type().equals("uid.offline")).stream()
                .map(WebhookReceiver.Request::uid).collect(Collectors.toSet());
        return reported.containsAll(uids);
    }

    /** The uids online anywhere, from every page of {@code GET /api/uids}. */
    private static Set<String> onlineUids(Api api) {
        Set<String> online = new HashSet<>();
        String after = "";
        while (after != null) {
            JsonObject page = api.get("/uids?limit=1000&after=" + Api.seg(after)).expect(200).object();
            page.getJsonArray("uids").getValuesAs(JsonString.class).forEach(s -> online.add(s.getString()));
            after = page.isNull("next") ? null : page.getString("next");
        }
        return online;
    }

    /** Runs the check until it passes (polling) and returns when it first passed. */
    private static long awaitNanos(Duration timeout, io.herald.it.support.Await.Check check) {
        eventually(timeout, check);
        return System.nanoTime();
    }

    /** Counts per outcome, and the slowest answer. */
    private static String outcomes(List<LoadPusher.Answer> answers) {
        Map<LoadPusher.Outcome, Integer> counts = new EnumMap<>(LoadPusher.Outcome.class);
        long slowest = 0;
        for (LoadPusher.Answer answer : answers) {
            counts.merge(answer.outcome(), 1, Integer::sum);
            slowest = Math.max(slowest, answer.tookNanos());
        }
        return counts + String.format(" (slowest %.2f s)", slowest / 1e9);
    }

    private static void log(String format, Object... arguments) {
        System.out.println("[node loss] " + String.format(format, arguments));
    }
}
