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
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * A server stopped gracefully (SIGTERM, as an init system or orchestrator stops it) while clients bound to
 * uids receive a steady stream of durable pushes, either at once or after an operator's drain: after the
 * restart each client resumes after the last seq it processed and receives the rest, so that across both
 * connections it sees every seq exactly once, and every push that got a 202 with its own data; the
 * acknowledgements the clients sent before the stop were stored by the shutdown (the periodic ack flush is
 * set out of reach). After a drain the clients were closed with 1012; on a bare SIGTERM with 1012, or with
 * 1001 where the server's own close won the race (WildFly closes WebSocket sessions when it suspends).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
abstract class GracefulShutdown {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private AppServer node;

    /** The server under test, not started yet, on a database that survives its restart. */
    abstract AppServer server(Path target, Map<String, String> heraldConfig) throws Exception;

    @AfterAll
    void stopServer() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @BeforeAll
    void startServer() throws Exception {
        node = server(Path.of(System.getProperty("herald.war")).getParent(),
                Map.of("herald.durable.ack-flush-millis", "600000", "herald.drain.spread-ms", "2000"));
        node.start(Duration.ofMinutes(3));
    }

    @Test
    @Order(1)
    void clientsReceivingDurablePushesResumeAfterAStopSignalWithNoGap() throws Exception {
        stopWhileReceiving(false);
    }

    @Test
    @Order(2)
    void clientsDrainedBeforeTheStopAreClosedWith1012AndResumeWithNoGap() throws Exception {
        stopWhileReceiving(true);
    }

    private void stopWhileReceiving(boolean drainFirst) throws Exception {
        Herald herald = Herald.at(node.url());

        List<String> uids = List.of("stop-a-" + System.nanoTime(), "stop-b-" + System.nanoTime(),
                "stop-c-" + System.nanoTime());
        List<Receiver> receivers = new ArrayList<>();
        for (String uid : uids) {
            receivers.add(new Receiver(uid, herald.connectQuery("uid=" + uid + "&since=0", true)));
        }
        ExecutorService reading = Executors.newFixedThreadPool(receivers.size());
        receivers.forEach(reading::submit);

        Map<String, ConcurrentMap<Long, Integer>> accepted = new TreeMap<>();
        uids.forEach(uid -> accepted.put(uid, new ConcurrentHashMap<>()));
        AtomicBoolean serverGone = new AtomicBoolean();
        AtomicInteger acceptedCount = new AtomicInteger();
        AtomicInteger refusedCount = new AtomicInteger();
        ExecutorService pushers = Executors.newFixedThreadPool(2);
        List<Future<?>> pushing = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int pusher = p;
            pushing.add(pushers.submit(() -> {
                Api api = herald.api();
                for (int i = 0; i < 5000 && !serverGone.get(); i++) {
                    String uid = uids.get((pusher + i) % uids.size());
                    int payload = pusher * 100_000 + i;
                    try {
                        Api.Response response = api.post("/uids/" + uid + "/messages", obj("data", payload));
                        if (response.status() == 202) {
                            accepted.get(uid).put(response.object().getJsonNumber("seq").longValue(), payload);
                            acceptedCount.incrementAndGet();
                        } else {
                            refusedCount.incrementAndGet(); // 503 or 404 while stopping: not stored, or not known to be
                        }
                    } catch (AssertionError | RuntimeException e) {
                        refusedCount.incrementAndGet(); // connection refused or reset: the server is going
                    }
                    Thread.sleep(5); // a steady stream, not a flood
                }
                return null;
            }));
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while ((acceptedCount.get() < 300 || receivers.stream().anyMatch(r -> r.seqs.size() < 30))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(acceptedCount.get() >= 300, "pushes are under way: " + acceptedCount.get());
        // Acks sent this long before the stop have surely reached the server before it began to drain.
        Thread.sleep(1000);
        Map<String, Long> ackedBeforeStop = new TreeMap<>();
        receivers.forEach(r -> ackedBeforeStop.put(r.uid, r.lastAck));
        Thread.sleep(1000);

        long stopAt = System.nanoTime();
        if (drainFirst) {
            herald.api().post("/node/drain", obj()).expect(202);
            for (Receiver receiver : receivers) {
                assertEquals(1012, receiver.ws.awaitClose(WAIT), "the client of " + receiver.uid + " was drained");
            }
            // Pushes go on while the node drains: the stream continues in the store.
            int before = acceptedCount.get();
            while (acceptedCount.get() < before + 30 && System.nanoTime() - stopAt < TimeUnit.SECONDS.toNanos(30)) {
                Thread.sleep(20);
            }
            assertTrue(acceptedCount.get() >= before + 30, "pushes are accepted during the drain");
            assertEquals(0, herald.api().get("/node").expect(200).object().getInt("clients"));
        }
        assertTrue(node.stop(Duration.ofSeconds(90)), "the server stops on SIGTERM");
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
        serverGone.set(true);
        for (Future<?> future : pushing) {
            future.get(2, TimeUnit.MINUTES);
        }
        pushers.shutdown();
        Map<Integer, Integer> closeCodes = new TreeMap<>();
        for (Receiver receiver : receivers) {
            int code = receiver.ws.awaitClose(WAIT);
            assertTrue(code == 1012 || (!drainFirst && code == 1001), "the client of " + receiver.uid
                    + " was told to reconnect: " + code);
            closeCodes.merge(code, 1, Integer::sum);
        }
        reading.shutdown();
        assertTrue(reading.awaitTermination(1, TimeUnit.MINUTES));

        node.start(Duration.ofMinutes(3));
        int replayed = 0;
        for (Receiver receiver : receivers) {
            String uid = receiver.uid;
            assertTrue(receiver.errors.isEmpty(), uid + ": " + receiver.errors);
            long last = receiver.seqs.isEmpty() ? 0 : receiver.seqs.get(receiver.seqs.size() - 1);
            JsonObject stream = herald.api().get("/uids/" + uid).expect(200).object();
            long acked = stream.getJsonNumber("acked").longValue();
            assertTrue(acked >= ackedBeforeStop.get(uid) && acked <= receiver.lastAck,
                    uid + ": the acks received before the stop were stored at shutdown: acked " + acked
                            + ", sent " + ackedBeforeStop.get(uid) + " a second before the stop and " + receiver.lastAck
                            + " in all");

            List<Long> seen = new ArrayList<>(receiver.seqs);
            try (WsClient client = herald.connectQuery("uid=" + uid + "&since=" + last + "&epoch=" + receiver.epoch, true)) {
                JsonObject replay = client.awaitFrame("replay", WAIT);
                assertTrue(replay.getBoolean("recovered"), uid + ": " + replay);
                assertEquals(last, replay.getJsonNumber("since").longValue(), uid + ": resumes after its last seq");
                long end = replay.getJsonNumber("seq").longValue();
                for (long seq = last + 1; seq <= end; seq++) {
                    JsonObject message = client.awaitMessage(WAIT);
                    assertEquals(seq, message.getJsonNumber("seq").longValue(), uid + ": no gap, no duplicate after the restart");
                    Integer payload = accepted.get(uid).get(seq);
                    if (payload != null) {
                        assertEquals((long) payload, message.getJsonNumber("data").longValue(), uid + " seq " + seq);
                    }
                    seen.add(seq);
                    replayed++;
                }
                client.assertNoMessage(Duration.ofMillis(300));
                for (int i = 0; i < seen.size(); i++) {
                    assertEquals(i + 1, (long) seen.get(i), uid + ": every seq exactly once across the stop");
                }
                long lastSeen = end;
                assertTrue(accepted.get(uid).keySet().stream().allMatch(seq -> seq <= lastSeen),
                        uid + ": every push that got a 202 was delivered");
            }
        }
        int beforeStop = receivers.stream().mapToInt(r -> r.seqs.size()).sum();
        System.out.println("[graceful stop" + (drainFirst ? " after a drain" : "") + "] close codes " + closeCodes
                + "; " + acceptedCount.get() + " pushes accepted (202), " + refusedCount.get()
                + " refused or failed while stopping; clients received " + beforeStop + " before the stop and "
                + replayed + " after resuming; the stop took " + stopMillis + " ms");
    }

    /** Reads one client's frames on its own thread: checks the order, acknowledges each durable message. */
    private static final class Receiver implements Runnable {
        final String uid;
        final WsClient ws;
        final List<Long> seqs = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile String epoch;
        volatile long lastAck;

        Receiver(String uid, WsClient ws) {
            this.uid = uid;
            this.ws = ws;
        }

        @Override
        public void run() {
            while (true) {
                JsonObject frame;
                try {
                    frame = ws.awaitAnyFrame(Duration.ofMillis(300));
                } catch (AssertionError noFrame) {
                    if (ws.isOpen()) {
                        continue;
                    }
                    return; // closed, and everything it received has been read
                }
                String type = frame.getString("type", "");
                if (type.equals("replay")) {
                    epoch = frame.getString("epoch");
                } else if (type.equals("message")) {
                    long seq = frame.getJsonNumber("seq").longValue();
                    long expected = seqs.isEmpty() ? 1 : seqs.get(seqs.size() - 1) + 1;
                    if (seq != expected) {
                        errors.add("seq " + seq + " where " + expected + " was due");
                    }
                    seqs.add(seq);
                    try {
                        ws.sendText("{\"type\":\"ack\",\"seq\":" + seq + "}");
                        lastAck = seq;
                    } catch (AssertionError | IllegalStateException closing) {
                        // the connection is closing: this ack never left
                    }
                }
            }
        }
    }
}
