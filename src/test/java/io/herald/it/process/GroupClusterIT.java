package io.herald.it.process;

import io.herald.it.support.Herald;
import io.herald.it.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable groups on a cluster: two WildFly nodes on one PostgreSQL (server-config/wildfly/postgresql.cli,
 * so the V3 migration and the group streams run on PostgreSQL), both pushing to one group at once. The
 * seqs come out gapless from the shared database, and members on either node get every message once, in
 * seq order; a member that comes back on the other node resumes from its position.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class GroupClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int NODES = 2;
    /** Ports apart from ClusterIT's, which may run on the same machine. */
    private static final int PORT_OFFSET = 1300;
    private static final int HAZELCAST_PORT = 5821;

    private EmbeddedPostgres postgres;
    private final List<AppServer> servers = new ArrayList<>();
    private final List<Herald> nodes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        String members = "127.0.0.1:" + HAZELCAST_PORT + ",127.0.0.1:" + (HAZELCAST_PORT + 1);
        for (int i = 0; i < NODES; i++) {
            servers.add(WildFlyNode.prepare(target.resolve("process-it/group-node-" + (i + 1)), PORT_OFFSET + 100 * i,
                            Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                                    "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                            Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                            Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                    .with(Map.of(
                            "herald.cluster.enabled", "true",
                            "herald.cluster.name", "herald-groups-it",
                            "herald.cluster.interface", "127.0.0.1",
                            "herald.cluster.port", String.valueOf(HAZELCAST_PORT + i),
                            "herald.cluster.members", members,
                            "jboss.as.management.blocking.timeout", "900")));
        }
        // One after the other, and with WildFly's own boot timeout raised: on a machine shared with other
        // builds, two WildFly starts at once have taken longer than its default five minutes.
        for (AppServer server : servers) {
            server.start(Duration.ofMinutes(8));
        }
        for (AppServer server : servers) {
            nodes.add(Herald.at(server.url()));
        }
        for (Herald node : nodes) {
            eventually(WAIT, () -> assertEquals(NODES, node.api().stats().getInt("nodes"), "both nodes joined"));
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
    }

    private static long seq(JsonObject frame) {
        return frame.getJsonNumber("seq").longValue();
    }

    @Test
    void twoNodesPushingToOneGroupAtOnceGetGaplessSeqsAndEveryMemberAllInOrder() throws Exception {
        String group = "pg-room-" + System.nanoTime();
        List<WsClient> members = new ArrayList<>();
        for (Herald node : nodes) {
            WsClient member = node.connect(null);
            node.api().joinGroup(group, member.clientId());
            // A member follows the group from a position (here its start): pushes committed on the two nodes
            // reach it in any order, and its cursor sends them in seq order, reading from the store what
            // came out of order. (A member without a position starts at the first message it sees:
            // PROTOCOL.md, "Durable groups".)
            member.sendJson(obj("type", "resume", "groups", obj(group, 0)));
            assertTrue(member.awaitFrame("replay", WAIT).getBoolean("recovered"));
            members.add(member);
        }
        int each = 150;
        ExecutorService pushers = Executors.newFixedThreadPool(2 * NODES);
        List<Future<List<Long>>> pushed = new ArrayList<>();
        try {
            // Two pushers per node, so that each node's journal commits batches while the other's does.
            for (int p = 0; p < 2 * NODES; p++) {
                Herald node = nodes.get(p % NODES);
                int pusher = p;
                pushed.add(pushers.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        seqs.add(node.api().post("/groups/" + group + "/messages",
                                obj("data", obj("p", pusher, "i", i), "durable", true)).expect(202)
                                .object().getJsonNumber("seq").longValue());
                    }
                    return seqs;
                }));
            }
            TreeSet<Long> seqs = new TreeSet<>();
            for (Future<List<Long>> future : pushed) {
                seqs.addAll(future.get(5, TimeUnit.MINUTES));
            }
            int total = 2 * NODES * each;
            assertEquals(total, seqs.size(), "one seq per message");
            assertEquals(1L, seqs.first());
            assertEquals((long) total, seqs.last(), "no gap");

            for (WsClient member : members) {
                member.awaitGroupSeqs(group, 1, total, WAIT);
                member.assertNoMessage(Duration.ofMillis(500));
            }

            // The first node's member comes back on the second node and resumes from its position.
            members.get(0).close();
            nodes.get(0).api().post("/groups/" + group + "/messages", obj("data", "while away", "durable", true))
                    .expect(202);
            WsClient back = nodes.get(1).connect(null);
            nodes.get(0).api().joinGroup(group, back.clientId()); // the join goes to the node that holds it
            back.sendJson(obj("type", "resume", "groups", obj(group, total - 2)));
            JsonObject replay = back.awaitFrame("replay", WAIT);
            assertTrue(replay.getBoolean("recovered"), replay.toString());
            back.awaitGroupSeqs(group, total - 1, total + 1, WAIT);
            JsonObject history = nodes.get(0).api().get("/groups/" + group + "/messages?since=" + total).expect(200).object();
            assertEquals(total + 1, history.getJsonNumber("seq").longValue());
            assertEquals(1, history.getJsonArray("messages").size());
        } finally {
            pushers.shutdownNow();
        }
    }
}
