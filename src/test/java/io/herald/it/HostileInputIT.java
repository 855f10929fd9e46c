package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import io.herald.it.support.RawWebSocket;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks by clients with the default limits, as found in an attack pass on an earlier version (where one
 * client took a node down in seconds): floods of frames that are expensive to parse, and a client that
 * never reads while large messages are pushed to it. The node stays ready, a bystander is served, the
 * attackers are closed with the documented codes, and the heap comes back to where it was.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileInputIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ATTACKERS = 4;
    private static final int FRAMES_PER_ATTACKER = 3_000;
    /** Heap an attack may leave behind, after full collections: far below what the attack sent. */
    private static final long HEAP_SLACK = 32L << 20;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-hostile.war", Deployments.config())
                .addClasses(HeapProbe.class, HeapProbe.Mount.class);
    }

    private final List<RawWebSocket> raws = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        raws.forEach(RawWebSocket::close);
        threads.shutdownNow();
    }

    @Test
    void aFloodOfNestedAndLongNumberFramesLeavesTheNodeServing() throws Exception {
        WsClient bystander = herald.connect(Names.unique("bystander"));
        long heapBefore = liveHeap();
        String nested = "[".repeat(1001) + "]".repeat(1001);
        String longNumber = "{\"type\":\"message\",\"data\":1" + "2".repeat(1200) + "}";

        List<CompletableFuture<List<JsonObject>>> outcomes = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        for (int a = 0; a < ATTACKERS; a++) {
            RawWebSocket raw = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + Names.unique("attacker")), 0);
            raws.add(raw);
            threads.submit(() -> {
                for (int i = 0; i < FRAMES_PER_ATTACKER; i++) {
                    raw.sendText(i % 2 == 0 ? nested : longNumber);
                    sent.incrementAndGet();
                }
                return null; // a write that fails (the server closed the connection) ends it early
            });
            outcomes.add(CompletableFuture.supplyAsync(() -> framesUntilClose(raw), threads));
        }

        // During the attack: ready, and a bystander's push arrives.
        for (int i = 0; i < 3; i++) {
            api.withKey(null).get("/health/ready").expect(200);
            api.sendData("/clients/" + bystander.clientId() + "/messages", obj("during", i));
            assertEquals(i, bystander.awaitMessage(WAIT).getJsonObject("data").getInt("during"));
        }

        for (CompletableFuture<List<JsonObject>> outcome : outcomes) {
            List<JsonObject> frames = outcome.get(60, TimeUnit.SECONDS);
            JsonObject close = frames.get(frames.size() - 1);
            assertEquals(4002, close.getInt("close"), "an attacker is closed as a flood: " + frames.subList(
                    Math.max(0, frames.size() - 3), frames.size()));
            assertTrue(frames.stream().anyMatch(f -> "bad_json".equals(f.getString("code", null))
                            && f.getString("message").contains("nested deeper than 64 levels")),
                    "the frames read before the rate ran out are answered bad_json in Herald's words");
            assertTrue(frames.stream().anyMatch(f -> "bad_json".equals(f.getString("code", null))
                            && f.getString("message").contains("a number longer than 100 characters")),
                    "long numbers too");
            // The rate_limited warning may never arrive: the close that follows within milliseconds drops
            // whatever still waits to be sent to the attacker.
        }

        assertTrue(bystander.isOpen(), "bystander closed with " + bystander.closeCode());
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("after", true));
        assertEquals(true, bystander.awaitMessage(WAIT).getJsonObject("data").getBoolean("after"));
        api.withKey(null).get("/health/ready").expect(200);
        Await.eventually(Duration.ofSeconds(30), () -> {
            long heapAfter = liveHeap();
            assertTrue(heapAfter <= heapBefore + HEAP_SLACK, "live heap " + (heapAfter >> 20)
                    + " MiB after the attack, " + (heapBefore >> 20) + " MiB before");
        });
    }

    @Test
    void aClientThatNeverReadsLargeMessagesIsClosedByTheByteBound() throws Exception {
        JsonObject before = api.stats();
        WsClient bystander = herald.connect(Names.unique("bystander"));
        RawWebSocket slow = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + Names.unique("slow")), 4096);
        raws.add(slow);
        JsonObject welcome = JsonSupport.parse(slow.readFrame().text()).asJsonObject();
        String slowId = welcome.getString("clientId");

        String large = "x".repeat(900_000);
        int accepted = 0;
        for (int i = 0; i < 40; i++) {
            // Far fewer than herald.send-queue.max-frames (1000): only the byte bound can close it.
            int status = api.post("/clients/" + slowId + "/messages", obj("data", obj("i", i, "pad", large))).status();
            assertTrue(status == 202 || status == 404, "push " + i + " answered " + status);
            if (status == 404) {
                break; // closed already
            }
            accepted++;
        }
        assertTrue(accepted < 40, "the client was still open after 40 pushes of 900 KB");
        Await.eventually(WAIT, () -> api.get("/clients/" + slowId).expectError(404, "client_not_found"));
        JsonObject after = api.stats();
        assertEquals(before.getInt("slowConsumerCloses") + 1, after.getInt("slowConsumerCloses"));
        api.withKey(null).get("/health/ready").expect(200);
        api.sendData("/clients/" + bystander.clientId() + "/messages", obj("still", "served"));
        assertEquals("served", bystander.awaitMessage(WAIT).getJsonObject("data").getString("still"));

        // What reached the slow client ends in 4001, or the connection is just cut (Payara cuts a client that
        // cannot take even the close frame).
        List<JsonObject> frames = framesUntilClose(slow);
        int close = frames.get(frames.size() - 1).getInt("close");
        assertTrue(close == 4001 || close == -1, "the slow client's connection ended with " + close);
    }

    private long liveHeap() {
        return api.get("/probe/heap").expect(200).object().getJsonNumber("used").longValue();
    }

    /**
     * The frames a raw client receives, as JSON objects, up to its close frame (as {@code {"close":code}})
     * or the end of the connection (as {@code {"close":-1}}); large payloads are left out.
     */
    private static List<JsonObject> framesUntilClose(RawWebSocket raw) {
        List<JsonObject> frames = new ArrayList<>();
        try {
            raw.socket().setSoTimeout(30_000);
            while (true) {
                RawWebSocket.Frame frame = raw.readFrame();
                if (frame.opcode() == 0x8) {
                    frames.add(obj("close", frame.closeCode()));
                    break;
                }
                if (frame.opcode() == 0x1 && frame.payload().length < 10_000) {
                    frames.add(JsonSupport.parse(frame.text()).asJsonObject());
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no close within 30 s; last frames: " + frames.subList(Math.max(0, frames.size() - 3), frames.size()));
        } catch (IOException e) {
            frames.add(obj("close", -1));
        }
        raw.close(); // ends the attacker's writing too
        return frames;
    }
}
