package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WebhookReceiver;
import io.herald.it.support.WebhookReceiver.Request;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks posted to a real HTTP endpoint in the test JVM: signatures, presence with the offline delay,
 * client and group events, unacknowledged durable messages, retries in order per uid, and a hanging
 * endpoint that must not slow message delivery.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WebhooksIT extends ClientTest {

    private static final String SECRET = "it-webhook-secret-0123456789abcdef";
    private static final long OFFLINE_DELAY_MS = 1500;
    private static final long UNACKED_AFTER_MS = 2000;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final WebhookReceiver RECEIVER = WebhookReceiver.start();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-webhooks.war", Deployments.config(
                "herald.webhook.url", RECEIVER.url(),
                "herald.webhook.secret", SECRET,
                "herald.webhook.offline-delay-ms", String.valueOf(OFFLINE_DELAY_MS),
                "herald.webhook.unacked-after-seconds", String.valueOf(UNACKED_AFTER_MS / 1000),
                "herald.webhook.timeout-ms", "5000",
                "herald.webhook.connect-timeout-ms", "1000",
                "herald.webhook.retry-initial-ms", "200",
                "herald.webhook.retry-max-ms", "1000"))
                .addClasses(LeaseProbe.class, LeaseProbe.Mount.class);
    }

    @AfterEach
    void tearDown() {
        RECEIVER.release();
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    private static Predicate<Request> of(String type, String uid) {
        return request -> request.type().equals(type) && uid.equals(request.uid());
    }

    private static List<Request> delivered(Predicate<Request> matching) {
        return RECEIVER.requests(request -> request.delivered() && matching.test(request));
    }

    /** Distinct event ids among the requests, in order of first arrival. */
    private static List<String> eventIds(List<Request> requests) {
        Map<String, Request> first = new LinkedHashMap<>();
        requests.forEach(request -> first.putIfAbsent(request.eventId, request));
        return new ArrayList<>(first.keySet());
    }

    private static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "v1=" + HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eventsAreSignedOverTimestampAndBodyWithTheSecret() throws Exception {
        String uid = Names.unique("signed");
        herald.connect(uid);
        Request online = RECEIVER.awaitDelivered(of("uid.online", uid), WAIT);

        assertNotNull(online.timestamp, "Herald-Timestamp");
        long timestamp = Long.parseLong(online.timestamp);
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(now - timestamp) < 60, "timestamp " + timestamp + " is now (" + now + ")");
        assertEquals(hmac(SECRET, online.timestamp + "." + online.body), online.signature,
                "HMAC-SHA256 of \"<timestamp>.<body>\" with the secret");
        assertFalse(hmac("another-secret-0123456789abcdef", online.timestamp + "." + online.body).equals(online.signature),
                "another secret gives another signature");
        assertFalse(hmac(SECRET, (timestamp + 1) + "." + online.body).equals(online.signature),
                "the timestamp is signed");
        assertEquals(online.json.getString("id"), online.eventId, "Herald-Event-Id is the body's id");
        assertEquals("uid.online", online.eventType, "Herald-Event-Type");
        assertTrue(online.contentType.startsWith("application/json"), online.contentType);
        assertTrue(online.json.getJsonNumber("createdAt").longValue() > 0);
        assertEquals(uid, online.data().getString("uid"));
    }

    @Test
    void onlineOnFirstConnectNothingForAReconnectWithinTheDelayOfflineAfterIt() {
        String uid = Names.unique("reload");
        WsClient first = herald.connect(uid);
        Request online = RECEIVER.awaitDelivered(of("uid.online", uid), WAIT);
        Request connected = RECEIVER.awaitDelivered(of("client.connected", uid)
                .and(r -> first.clientId().equals(r.data().getString("clientId"))), WAIT);

        // A page reload: the client goes, and the same uid comes back well within the delay.
        first.close();
        WsClient second = herald.connect(uid);
        Request closed = RECEIVER.awaitDelivered(of("client.closed", uid)
                .and(r -> first.clientId().equals(r.data().getString("clientId"))), WAIT);
        assertEquals(1000, closed.data().getInt("closeCode"), "a normal close by the client");
        RECEIVER.awaitDelivered(of("client.connected", uid)
                .and(r -> second.clientId().equals(r.data().getString("clientId"))), WAIT);
        sleep(OFFLINE_DELAY_MS + 2000);
        assertEquals(List.of(online.eventId), eventIds(delivered(of("uid.online", uid))), "one uid.online only");
        assertEquals(List.of(), RECEIVER.requests(of("uid.offline", uid)), "no uid.offline for a reload");

        long closedAt = System.nanoTime();
        second.close();
        Request offline = RECEIVER.awaitDelivered(of("uid.offline", uid), WAIT);
        long afterMs = (offline.receivedNanos - closedAt) / 1_000_000;
        assertTrue(afterMs >= OFFLINE_DELAY_MS - 200, "uid.offline " + afterMs + " ms after the last client left");
        assertTrue(offline.data().getJsonNumber("offlineSince").longValue() > 0);

        // In order for the uid: online first, offline last.
        List<String> ids = eventIds(delivered(r -> uid.equals(r.uid())));
        assertEquals(online.eventId, ids.get(0), "uid.online first: " + ids);
        assertEquals(offline.eventId, ids.get(ids.size() - 1), "uid.offline last: " + ids);
        assertTrue(ids.indexOf(connected.eventId) > 0);
        assertEquals(6, ids.size(), "online, 2 x connected, 2 x closed, offline: " + delivered(r -> uid.equals(r.uid())));
    }

    @Test
    void clientClosedCarriesTheCloseCodeAndUnboundClientsAreReported() {
        String uid = Names.unique("closed");
        WsClient client = herald.connect(uid);
        RECEIVER.awaitDelivered(of("client.connected", uid), WAIT);
        api.delete("/clients/" + client.clientId()).expect(204);
        client.assertClosedWith(4100, WAIT);
        Request closed = RECEIVER.awaitDelivered(of("client.closed", uid), WAIT);
        assertEquals(client.clientId(), closed.data().getString("clientId"));
        assertEquals(4100, closed.data().getInt("closeCode"));

        WsClient anonymous = herald.connect(null);
        Request connected = RECEIVER.awaitDelivered(r -> r.type().equals("client.connected")
                && anonymous.clientId().equals(r.data().getString("clientId")), WAIT);
        assertTrue(connected.data().isNull("uid"), "an unbound client has uid null: " + connected.body);
    }

    @Test
    void groupEmptiedWhenItsLastMemberLeavesOrCloses() {
        String group = Names.unique("room");
        WsClient a = herald.connect(Names.unique("member"));
        WsClient b = herald.connect(Names.unique("member"));
        api.joinGroup(group, a.clientId());
        api.joinGroup(group, b.clientId());
        Predicate<Request> emptied = r -> r.type().equals("group.emptied") && group.equals(r.data().getString("group"));

        api.delete("/groups/" + group + "/clients/" + a.clientId()).expect(204);
        sleep(1000);
        assertEquals(List.of(), RECEIVER.requests(emptied), "b is still a member");
        api.delete("/groups/" + group + "/clients/" + b.clientId()).expect(204);
        RECEIVER.awaitDelivered(emptied, WAIT);

        String other = Names.unique("room");
        WsClient c = herald.connect(null);
        api.joinGroup(other, c.clientId());
        c.close();
        RECEIVER.awaitDelivered(r -> r.type().equals("group.emptied") && other.equals(r.data().getString("group")), WAIT);
        assertEquals(1, eventIds(delivered(emptied)).size(), "reported once");
    }

    @Test
    void anUnacknowledgedDurableMessageIsReportedOnceAndAnAcknowledgedOneNever() {
        String away = Names.unique("away");
        String reader = Names.unique("reader");
        WsClient readerClient = herald.connect(reader);
        long pushedAt = System.nanoTime();
        JsonObject receipt = api.post("/uids/" + away + "/messages", obj("data", "for later")).expect(202).object();
        JsonObject read = api.post("/uids/" + reader + "/messages", obj("data", "read")).expect(202).object();
        JsonObject frame = readerClient.awaitMessage(WAIT);
        assertEquals(read.getJsonNumber("seq").longValue(), frame.getJsonNumber("seq").longValue());
        readerClient.sendJson(obj("type", "ack", "seq", frame.getJsonNumber("seq").longValue()));

        Request unacked = RECEIVER.awaitDelivered(of("message.unacknowledged", away), WAIT);
        long afterMs = (unacked.receivedNanos - pushedAt) / 1_000_000;
        assertTrue(afterMs >= UNACKED_AFTER_MS - 100, "reported " + afterMs + " ms after the push");
        assertEquals(receipt.getJsonNumber("seq").longValue(), unacked.data().getJsonNumber("seq").longValue());
        assertEquals(receipt.getString("id"), unacked.data().getString("messageId"));
        long createdAt = unacked.data().getJsonNumber("createdAt").longValue();
        assertTrue(createdAt > 0 && createdAt <= System.currentTimeMillis(), "createdAt " + createdAt);

        sleep(3 * UNACKED_AFTER_MS); // several more scans
        assertEquals(1, eventIds(RECEIVER.requests(of("message.unacknowledged", away))).size(), "reported once");
        assertEquals(List.of(), RECEIVER.requests(of("message.unacknowledged", reader)), "the acknowledged message");
    }

    @Test
    void aFailingEndpointGetsEveryEventLaterOnceInOrderPerUid() {
        JsonObject before = api.stats().getJsonObject("webhooks");
        assertTrue(before.getBoolean("enabled"));
        String uid = Names.unique("retried");
        RECEIVER.failNext(uid, 3);

        WsClient client = herald.connect(uid);
        RECEIVER.awaitDelivered(of("client.connected", uid), WAIT);
        client.close();
        RECEIVER.awaitDelivered(of("uid.offline", uid), WAIT);

        List<Request> all = RECEIVER.requests(r -> uid.equals(r.uid()));
        List<Request> failed = all.stream().filter(r -> r.status() == 500).toList();
        assertEquals(3, failed.size(), "three answered 500: " + all);
        assertEquals(1, eventIds(failed).size(), "the failures are retries of one event: " + failed);
        assertEquals("uid.online", failed.get(0).type());

        List<Request> delivered = all.stream().filter(Request::delivered).toList();
        assertEquals(List.of("uid.online", "client.connected", "client.closed", "uid.offline"),
                delivered.stream().map(Request::type).toList(), "each delivered once, in order");
        // No event of the uid was sent while an earlier one was still undelivered.
        for (Request request : all) {
            int index = eventIds(delivered).indexOf(request.eventId);
            for (Request earlier : delivered.subList(0, index)) {
                assertTrue(earlier.answeredNanos() <= request.receivedNanos, request + " was sent before "
                        + earlier + " was delivered");
            }
        }

        Await.eventually(WAIT, () -> {
            JsonObject after = api.stats().getJsonObject("webhooks");
            assertTrue(after.getJsonNumber("failedAttempts").longValue() >= before.getJsonNumber("failedAttempts").longValue() + 3, "failedAttempts " + after);
            assertTrue(after.getJsonNumber("delivered").longValue() >= before.getJsonNumber("delivered").longValue() + 4, "delivered " + after);
            assertEquals(0, after.getJsonNumber("dead").longValue(), "dead " + after);
            assertTrue(after.containsKey("pending") && after.containsKey("dropped"), after.toString());
            // Prometheus reads the same counters
            String metrics = api.get("/metrics").expect(200).body();
            assertTrue(sample(metrics, "herald_webhook_failed_attempts_total") >= before.getJsonNumber("failedAttempts").longValue() + 3, metrics);
            assertTrue(sample(metrics, "herald_webhook_deliveries_total") >= before.getJsonNumber("delivered").longValue() + 4, metrics);
            assertEquals(0, sample(metrics, "herald_webhook_dead_total"), metrics);
        });
    }

    @Test
    void eventsANodeWasSendingWhenItLeftTheClusterAreSentAtOnce() {
        String uid = Names.unique("orphaned");
        RECEIVER.failNext(uid, 1000); // pending, between attempts
        try {
            WsClient client = herald.connect(uid);
            Await.eventually(WAIT, () -> assertFalse(RECEIVER.requests(of("uid.online", uid)).isEmpty(), "a first attempt"));

            // Another node takes the uid's events for ten minutes; the endpoint answers from now on.
            String ghost = Names.unique("ghost");
            int taken = api.post("/probe/leases/take/" + uid + "?owner=" + ghost + "&millis=600000", obj())
                    .expect(200).object().getInt("taken");
            assertTrue(taken >= 1, "leased " + taken);
            RECEIVER.failNext(uid, 0);
            // This node's retries come every second at most; the lease holds them all back.
            sleep(3000);
            assertEquals(List.of(), delivered(request -> uid.equals(request.uid())), "nothing sent while the lease is held");

            api.post("/probe/leases/left/" + ghost, obj()).expect(200);
            RECEIVER.awaitDelivered(of("uid.online", uid), WAIT);
            client.close();
            RECEIVER.awaitDelivered(of("uid.offline", uid), WAIT);
            assertEquals(List.of("uid.online", "client.connected", "client.closed", "uid.offline"),
                    delivered(request -> uid.equals(request.uid())).stream().map(Request::type).toList(),
                    "each delivered once, in order");
        } finally {
            RECEIVER.failNext(uid, 0); // whatever happened, the uid's events are not left to die
        }
    }

    /** The value of an unlabelled sample in a Prometheus text exposition. */
    private static double sample(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + name);
    }

    @Test
    void aHangingEndpointDoesNotDelayMessageDelivery() {
        RECEIVER.hold();
        // Enough events to take every request slot of the node (herald.webhook.concurrency, 16 by default):
        // two per anonymous client.
        for (int i = 0; i < 10; i++) {
            herald.connect(null).close();
        }
        Await.eventually(WAIT, () -> assertTrue(RECEIVER.held() >= 16, "held requests: " + RECEIVER.held()));

        String uid = Names.unique("prompt");
        WsClient client = herald.connect(uid);
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            api.post("/uids/" + uid + "/messages", obj("data", i)).expect(202);
            JsonObject message = client.awaitMessage(WAIT);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(i, message.getInt("data"));
            assertTrue(tookMs < 1500, "push " + i + " took " + tookMs + " ms while the endpoint hangs");
            api.post("/clients/" + client.clientId() + "/messages", obj("data", "direct")).expect(202);
            assertEquals("direct", client.awaitMessage(WAIT).getString("data"));
        }
        assertTrue(RECEIVER.held() >= 1, "the endpoint still hangs: the pushes did not wait for it");
        RECEIVER.release();
        // Once it answers again, the events held up meanwhile arrive.
        RECEIVER.awaitDelivered(of("uid.online", uid), WAIT);
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
