package io.herald.it.process;

import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import io.herald.it.support.WebhookReceiver;
import io.herald.it.support.RawWebSocket;
import io.herald.it.support.WsClient;
import io.herald.launch.Trees;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * PostgreSQL goes away for 20 s under a running Herald (WildFly, server-config/wildfly/postgresql.cli) and
 * comes back on the same data, with no restart of Herald: what pushers, clients, health and webhooks see
 * meanwhile, and that everything recovers by itself.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DatabaseOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    /** A durable push while the database is down must be answered within this (it must not hang). */
    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void heraldRidesOutADatabaseOutageAndRecoversByItself() throws Exception {
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        Path data = target.resolve("process-it/outage-postgres");
        int port = freePort();
        Database database = new Database(data, port);
        database.start(true);
        try (WebhookReceiver receiver = WebhookReceiver.start();
             WildFlyNode node = WildFlyNode.prepare(target.resolve("process-it/outage-wildfly"), 2500,
                             Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                                     "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                             Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                             Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                     .with(Map.of("herald.webhook.url", receiver.url(),
                             "herald.webhook.secret", "process-it-webhook-secret-0123456789",
                             "herald.webhook.offline-delay-ms", "500",
                             "herald.webhook.retry-initial-ms", "200"))) {
            node.start(Duration.ofMinutes(3));
            try (Herald herald = Herald.at(node.url())) {
                outageAndRecovery(herald, herald.api(), database, receiver, node.log());
            }
        } finally {
            database.stop();
        }
    }

    private void outageAndRecovery(Herald herald, Api api, Database database, WebhookReceiver receiver, Path log)
            throws Exception {
        String uid = "outage-" + System.nanoTime();
        String path = "/uids/" + uid + "/messages";
        try (WsClient client = herald.connect(uid)) {
            client.awaitFrame("replay", WAIT); // the stream's header: the client is attached to it
            assertEquals(1L, api.post(path, obj("data", "before")).expect(202).object().getJsonNumber("seq").longValue());
            assertEquals(1L, client.awaitMessage(WAIT).getJsonNumber("seq").longValue());
            awaitStatus(api, "/health/ready", 200);
            long logBefore = Files.size(log);

            database.stop();
            long down = System.nanoTime();

            // Durable pushes are refused promptly, never accepted.
            long slowestRefusal = 0;
            for (int i = 0; i < 3; i++) {
                long asked = System.nanoTime();
                Api.Response refused = api.post(path, obj("data", "during-" + i));
                long took = System.nanoTime() - asked;
                assertEquals(503, refused.status(), "a durable push while the database is down: " + refused);
                assertEquals("store_unavailable", refused.object().getString("code"), refused.toString());
                assertTrue(took < PROMPT.toNanos(), "answered in " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
                slowestRefusal = Math.max(slowestRefusal, took);
            }
            // Ephemeral pushes and presence do not need the database.
            api.post(path, obj("data", "ephemeral", "durable", false)).expect(202);
            JsonObject live = client.awaitMessage(WAIT);
            assertEquals("ephemeral", live.getString("data"));
            assertFalse(live.containsKey("seq"), "an ephemeral message has no seq: " + live);
            assertTrue(api.get("/stats").expect(200).object().getInt("clients") >= 1);
            JsonObject presence = api.get("/uids/" + uid).expect(200).object();
            assertTrue(presence.getBoolean("online"), presence.toString());
            // An acknowledgement is kept until it can be stored.
            client.sendJson(obj("type", "ack", "seq", 1));
            client.assertNoMessage(Duration.ofMillis(500));
            // Readiness says DOWN (the balancer stops sending), liveness stays UP (nobody restarts the node).
            awaitStatus(api, "/health/ready", 503);
            api.get("/health/live").expect(200);
            // A client comes and goes meanwhile: its webhooks wait for the database.
            String visitor = "outage-visitor-" + System.nanoTime();
            herald.connect(visitor).close();
            // A client of the uid that connects meanwhile cannot read its stream: 1013, try again later (the
            // close may come before its welcome, when the store fails at once).
            try (RawWebSocket late = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + uid + "&since=1"), 0)) {
                RawWebSocket.Frame frame;
                do {
                    frame = late.readFrame();
                } while (frame.opcode() != 0x8);
                assertEquals(1013, frame.closeCode(), "a client whose stream cannot be read");
            }

            long rest = OUTAGE.toNanos() - (System.nanoTime() - down);
            if (rest > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(rest));
            }
            database.start(false);
            long back = System.nanoTime();

            // Back, with no restart of Herald: the next durable push is stored with the next seq (the refused
            // ones stored nothing), and is delivered live to the client that stayed connected.
            long seq = awaitAccepted(api, path, "after", Duration.ofSeconds(60));
            assertEquals(2L, seq, "the pushes refused during the outage took no seq");
            JsonObject after = client.awaitMessage(m -> m.containsKey("seq"), WAIT);
            assertEquals(2L, after.getJsonNumber("seq").longValue());
            assertEquals("after", after.getString("data"));
            long stored = System.nanoTime();
            awaitStatus(api, "/health/ready", 200);
            long ready = System.nanoTime();
            // The figures for README's "Guarantees" table.
            System.out.printf("[database outage] durable pushes answered 503 store_unavailable within %d ms; after"
                            + " the database's return, the first durable push stored after %d ms, ready after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(slowestRefusal), TimeUnit.NANOSECONDS.toMillis(stored - back),
                    TimeUnit.NANOSECONDS.toMillis(ready - back));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (api.get("/uids/" + uid).expect(200).object().getInt("acked") != 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(1, api.get("/uids/" + uid).expect(200).object().getInt("acked"),
                    "the acknowledgement sent during the outage is stored once the database is back");

            // A client that resumes from the acknowledged position gets exactly what followed it.
            try (WsClient resumed = herald.connectQuery("uid=" + uid + "&since=1", true)) {
                assertTrue(resumed.awaitFrame("replay", WAIT).getBoolean("recovered"));
                JsonObject replayed = resumed.awaitMessage(WAIT);
                assertEquals(2L, replayed.getJsonNumber("seq").longValue());
                resumed.assertNoMessage(Duration.ofSeconds(1));
            }
            // The webhooks of the outage arrive once the database is back.
            receiver.awaitDelivered(r -> r.type().equals("uid.offline") && visitor.equals(r.uid()), Duration.ofSeconds(90));
            assertEquals(List.of("uid.online", "client.connected", "client.closed", "uid.offline"),
                    receiver.requests(r -> visitor.equals(r.uid()) && r.delivered()).stream()
                            .map(WebhookReceiver.Request::type).toList());

            // Herald's log tells the story in a few lines, not a trace per request or per retry; the
            // container's own lines (one or a few per failed connection attempt) stay few, as Herald backs off.
            List<String> said = warnings(log, logBefore);
            List<String> ours = said.stream().filter(line -> line.contains("[io.herald.")).toList();
            assertTrue(ours.size() <= 8, "Herald logged " + ours.size() + " warnings:\n" + String.join("\n", ours));
            assertTrue(said.size() <= 100, "the outage took " + said.size() + " warning lines, e.g.:\n"
                    + String.join("\n", said.subList(0, Math.min(40, said.size()))));
        }
    }

    private static long awaitAccepted(Api api, String path, String data, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Api.Response last = null;
        while (System.nanoTime() < deadline) {
            last = api.post(path, obj("data", data));
            if (last.status() == 202) {
                return last.object().getJsonNumber("seq").longValue();
            }
            assertEquals(503, last.status(), "while the database comes back: " + last);
            Thread.sleep(500);
        }
        fail("no durable push was accepted within " + within + " of the database's return: " + last);
        return -1;
    }

    private static void awaitStatus(Api api, String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Api.Response last = null;
        while (System.nanoTime() < deadline) {
            last = api.get(path);
            if (last.status() == status) {
                return;
            }
            Thread.sleep(250);
        }
        fail(path + " did not answer " + status + " within " + WAIT + ": " + last);
    }

    /** The WARN and ERROR lines the server logged after the given offset of its console log. */
    private static List<String> warnings(Path log, long from) throws IOException {
        List<String> lines = new ArrayList<>();
        byte[] all = Files.readAllBytes(log);
        String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.contains(" WARN ") || line.contains(" WARNING ") || line.contains(" ERROR ")
                    || line.contains(" SEVERE ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** PostgreSQL on a fixed port and data directory, so that it can stop and come back as the same server. */
    private static final class Database {
        private final Path data;
        private final int port;
        private EmbeddedPostgres postgres;

        Database(Path data, int port) {
            this.data = data;
            this.port = port;
        }

        /** Starts on a new data directory, or (not fresh) on the one the last start used. */
        void start(boolean fresh) throws IOException {
            if (fresh) {
                Trees.delete(data);
            }
            // Not cleaned: a clean data directory would be deleted at close, and the restart must find it.
            postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                    .setPort(port).start();
        }

        void stop() throws IOException {
            if (postgres != null) {
                postgres.close();
                postgres = null;
            }
        }
    }
}
