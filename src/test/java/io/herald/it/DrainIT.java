package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.it.support.Api;
import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An operator's drain of a running node ({@code POST /api/node/drain}): clients are closed with 1012 after
 * what was queued for them, spread over {@code herald.drain.spread-ms}; new handshakes get 503
 * {@code draining}; REST pushes go on and durable ones are stored; {@code DELETE} undoes it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DrainIT extends ClientTest {

    private static final long SPREAD_MS = 2000;
    private static final String PUSH_ONLY_KEY = "drain-pusher";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-drain.war", Deployments.config(
                "herald.drain.spread-ms", String.valueOf(SPREAD_MS),
                "herald.drain.grace-ms", "8000",
                "herald.api.keys", Herald.KEY + "," + Herald.SECOND_KEY + "," + PUSH_ONLY_KEY + ":push+query"));
    }

    @AfterEach
    void undrain() {
        api.delete("/node/drain").expect(200); // the next test starts with a node that accepts clients
    }

    @Test
    void drainClosesEveryClientWith1012AfterWhatWasQueuedSpreadOverTime() {
        List<WsClient> clients = List.of(herald.connect(Names.unique("d1")), herald.connect(Names.unique("d2")),
                herald.connect(null), herald.connect(null));
        // Clients of an earlier test may still be on their way out (their close is processed asynchronously).
        Await.eventually(() -> assertEquals(clients.size(), api.get("/node").expect(200).object().getInt("clients")));
        JsonObject before = api.get("/node").expect(200).object();
        assertFalse(before.getBoolean("draining"));
        assertEquals(clients.size(), before.getInt("clients"));
        assertEquals(Names.node(clients.get(0).clientId()), before.getString("nodeId"));

        int messages = 300;
        for (int i = 1; i <= messages; i++) {
            api.post("/broadcast", obj("data", i)).expect(202);
        }
        JsonObject started = api.post("/node/drain", obj()).expect(202).object();
        assertTrue(started.getBoolean("draining"));

        long[] closedAt = new long[clients.size()];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (closedAt[0] == 0 || closedAt[1] == 0 || closedAt[2] == 0 || closedAt[3] == 0) {
            if (System.nanoTime() > deadline) {
                fail("not every client was closed within 15 s");
            }
            for (int i = 0; i < clients.size(); i++) {
                if (closedAt[i] == 0 && !clients.get(i).isOpen()) {
                    closedAt[i] = System.nanoTime();
                }
            }
            sleep(10);
        }
        for (WsClient client : clients) {
            client.assertClosedWith(1012, Duration.ofSeconds(1));
            for (int i = 1; i <= messages; i++) {
                assertEquals(String.valueOf(i), client.awaitData(Duration.ofSeconds(5)).toString(),
                        "every frame queued before the drain reaches the client before its close, in order");
            }
        }
        long first = Arrays.stream(closedAt).min().orElseThrow();
        long last = Arrays.stream(closedAt).max().orElseThrow();
        long spread = TimeUnit.NANOSECONDS.toMillis(last - first);
        // 4 clients over 2000 ms: due at 0, 500, 1000 and 1500 ms.
        assertTrue(spread >= 1000, "the closes are spread over the drain window, not at once: " + spread + " ms");

        Await.eventually(Duration.ofSeconds(10), () -> assertEquals(0, api.get("/node").expect(200).object().getInt("clients")));
        assertTrue(api.get("/node").expect(200).object().getBoolean("draining"), "the node stays drained until undone");
    }

    @Test
    void whileDrainingNewClientsAreRefusedPushesAreStoredAndUndoingTheDrainAcceptsThemAgain() {
        String uid = Names.unique("drained");
        api.post("/node/drain", obj()).expect(202);
        assertTrue(api.get("/node").expect(200).object().getBoolean("draining"));
        // a second POST changes nothing
        assertTrue(api.post("/node/drain", obj()).expect(202).object().getBoolean("draining"));

        Handshake.Response refused = Handshake.send(herald.port(), herald.wsPath("uid=" + uid), null)
                .assertRefused(503, "draining");
        String retryAfter = refused.header("Retry-After");
        assertNotNull(retryAfter, "a refused handshake says when to retry: " + refused.head());
        assertTrue(Long.parseLong(retryAfter) > 0, "Retry-After in seconds: " + retryAfter);
        // a load balancer's readiness probe takes the node out of service while it drains
        JsonObject unready = api.withKey(null).get("/health/ready").expect(503).object();
        assertEquals("DOWN", unready.getString("status"), "readiness while draining: " + unready);

        JsonObject pushed = api.post("/uids/" + uid + "/messages", obj("data", obj("during", "drain"))).expect(202).object();
        assertEquals(1, pushed.getInt("seq"));
        JsonObject history = api.get("/uids/" + uid + "/messages?since=0").expect(200).object();
        assertEquals(1, history.getJsonArray("messages").size(), "the durable push was stored: " + history);
        assertEquals("drain", history.getJsonArray("messages").getJsonObject(0).getJsonObject("data").getString("during"));

        JsonObject undone = api.delete("/node/drain").expect(200).object();
        assertFalse(undone.getBoolean("draining"));
        assertFalse(api.get("/node").expect(200).object().getBoolean("draining"));
        api.delete("/node/drain").expect(200); // undoing twice is harmless
        assertEquals("UP", api.withKey(null).get("/health/ready").expect(200).object().getString("status"));

        WsClient client = herald.connectQuery("uid=" + uid + "&since=0", true);
        JsonObject message = client.awaitMessage(Duration.ofSeconds(10));
        assertEquals(1, message.getInt("seq"), "the message pushed during the drain is delivered: " + message);
        // A client that closes properly (a raw handshake's socket, dropped without a close frame, lingered on
        // Payara past the next test's count of the node's clients).
        assertTrue(herald.connect(null).isOpen(), "handshakes are accepted again");
    }

    @Test
    void drainingNeedsTheAdminScope() {
        Api pusher = herald.api(PUSH_ONLY_KEY);
        pusher.post("/node/drain", obj()).expectError(403, "forbidden");
        pusher.delete("/node/drain").expectError(403, "forbidden");
        assertFalse(pusher.get("/node").expect(200).object().getBoolean("draining"), "reading the node state is a query");
        herald.connect(null); // still accepting
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
