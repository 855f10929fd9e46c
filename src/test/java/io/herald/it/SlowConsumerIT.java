package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
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
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that upgrades and then never reads is closed as a slow consumer once more than
 * herald.send-queue.max-frames (50 here) frames wait for it; a normal client meanwhile receives every
 * broadcast, in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowConsumerIT extends ClientTest {

    private static final int BROADCASTS = 400;
    private static final int PAD_CHARS = 60_000;
    /** 20,000 frames of ~1 KB: 20 MB, far more than the socket buffers and the 50 frames of the bound hold. */
    private static final int SMALL_BROADCASTS = 20_000;
    private static final int SMALL_PAD_CHARS = 1000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-slow.war", Deployments.config("herald.send-queue.max-frames", "50"));
    }

    private RawWebSocket slow;

    @AfterEach
    void tearDown() {
        if (slow != null) {
            slow.close();
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAndDelaysNoOne() throws IOException {
        JsonObject before = api.stats();
        int slowClosesBefore = before.getInt("slowConsumerCloses");
        int sendFailuresBefore = before.getInt("sendFailures");
        WsClient normal = herald.connect(Names.unique("normal"));

        // a small receive window so the unread bytes pile up on the server quickly
        slow = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + Names.unique("slow")), 4096);
        JsonObject welcome = JsonSupport.parse(slow.readFrame().text()).asJsonObject();
        assertEquals("welcome", welcome.getString("type"), "first frame of the raw client: " + welcome);
        String slowId = welcome.getString("clientId");
        api.get("/clients/" + slowId).expect(200);

        String pad = "x".repeat(PAD_CHARS);
        long longestCallMs = 0;
        for (int i = 0; i < BROADCASTS; i++) {
            long t0 = System.nanoTime();
            api.post("/broadcast", obj("data", obj("seq", i, "pad", pad))).expect(202);
            longestCallMs = Math.max(longestCallMs, (System.nanoTime() - t0) / 1_000_000);
        }
        // sends are asynchronous: a stuck client must not hold up the backend's calls
        assertTrue(longestCallMs < 5000, "a broadcast call took " + longestCallMs + " ms");

        for (int i = 0; i < BROADCASTS; i++) {
            JsonObject m = normal.awaitMessage(Duration.ofSeconds(15));
            JsonObject data = m.getJsonObject("data");
            assertEquals(i, data.getInt("seq"), "broadcasts reach the normal client in order");
            assertEquals(PAD_CHARS, data.getString("pad").length());
        }
        assertTrue(normal.isOpen(), "the normal client was closed with " + normal.closeCode());

        Await.eventually(Duration.ofSeconds(30), () ->
                api.get("/clients/" + slowId).expectError(404, "client_not_found"));
        JsonObject stats = api.stats();
        assertTrue(stats.getInt("slowConsumerCloses") >= slowClosesBefore + 1, "slowConsumerCloses in " + stats);
        assertTrue(stats.getInt("sendFailures") >= sendFailuresBefore + 1,
                "frames that overflowed count as sendFailures: " + stats);

        // what reached the slow client ends in a close frame 4001, or the connection is just cut
        assertConnectionEnds(slow, Duration.ofSeconds(30));
    }

    /**
     * Small frames too: the bound counts frames that wait anywhere on the server, not only large ones that
     * fill the socket at once (a container that takes every send into its own write queue must still close
     * the client at the bound).
     */
    @Test
    void aClientThatStopsReadingSmallFramesIsClosedToo() throws IOException {
        slow = RawWebSocket.open(herald.port(), herald.wsPath("uid=" + Names.unique("slow-small")), 4096);
        String slowId = JsonSupport.parse(slow.readFrame().text()).asJsonObject().getString("clientId");
        String pad = "y".repeat(SMALL_PAD_CHARS);
        int pushed = 0;
        while (pushed < SMALL_BROADCASTS) {
            Api.Response answer = api.post("/clients/" + slowId + "/messages", obj("data", obj("seq", pushed, "pad", pad)));
            if (answer.status() == 404) {
                break; // closed as a slow consumer
            }
            answer.expect(202);
            pushed++;
        }
        Await.eventually(Duration.ofSeconds(30), () ->
                api.get("/clients/" + slowId).expectError(404, "client_not_found"));
        // What the server held for it stayed within the bound: far fewer frames than were pushed before it went.
        assertTrue(pushed < SMALL_BROADCASTS, "closed only after all " + pushed + " small pushes");
        assertConnectionEnds(slow, Duration.ofSeconds(30));
    }

    private static void assertConnectionEnds(RawWebSocket raw, Duration timeout) throws IOException {
        raw.socket().setSoTimeout((int) timeout.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RawWebSocket.Frame f;
            try {
                f = raw.readFrame();
            } catch (SocketTimeoutException e) {
                break;
            } catch (IOException e) {
                return; // cut (EOF or reset): acceptable for a client that could not even take a close frame
            }
            if (f.opcode() == 0x8) {
                assertEquals(4001, f.closeCode(), "close code sent to a slow consumer");
                return;
            }
        }
        throw new AssertionError("the slow consumer's connection is still open " + timeout.toSeconds() + " s after it was dropped");
    }
}
