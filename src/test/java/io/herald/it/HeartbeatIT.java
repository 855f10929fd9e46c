package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeat with a 1 s interval and a 3 s timeout. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeartbeatIT extends ClientTest {

    private static final long INTERVAL_MS = 1000;
    private static final long TIMEOUT_MS = 3000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-heartbeat.war", Deployments.config(
                "herald.heartbeat.interval-seconds", "1",
                "herald.heartbeat.timeout-seconds", "3"));
    }

    @Test
    void welcomeAnnouncesTheConfiguredHeartbeatInMilliseconds() {
        WsClient c = herald.connect(null);
        JsonObject hb = c.welcome().getJsonObject("heartbeat");
        assertEquals(INTERVAL_MS, hb.getJsonNumber("interval").longValue(), "interval in " + c.welcome());
        assertEquals(TIMEOUT_MS, hb.getJsonNumber("timeout").longValue(), "timeout in " + c.welcome());
    }

    @Test
    void aSilentClientIsPingedThenClosedWith4000() {
        int heartbeatCloses = api.stats().getInt("heartbeatCloses");
        long start = System.nanoTime();
        WsClient silent = herald.connectQuery("uid=" + Names.unique("silent"), false);

        silent.awaitFrame("ping", Duration.ofMillis(TIMEOUT_MS));
        long pingedAfter = (System.nanoTime() - start) / 1_000_000;
        assertTrue(pingedAfter >= INTERVAL_MS - 200, "pinged after " + pingedAfter + " ms, before the interval");

        silent.assertClosedWith(4000, Duration.ofMillis(TIMEOUT_MS + 5000));
        long closedAfter = (System.nanoTime() - start) / 1_000_000;
        assertTrue(closedAfter >= TIMEOUT_MS - 300, "closed after " + closedAfter + " ms, before the timeout");

        Await.eventually(Duration.ofSeconds(5), () -> {
            api.get("/clients/" + silent.clientId()).expectError(404, "client_not_found");
            assertTrue(api.stats().getInt("heartbeatCloses") >= heartbeatCloses + 1, "heartbeatCloses");
        });
    }

    @Test
    void aClientThatAnswersPingsStaysOpen() {
        WsClient lively = herald.connect(Names.unique("lively"));
        long stayOpenMs = 2 * TIMEOUT_MS;
        long deadline = System.nanoTime() + stayOpenMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            assertTrue(lively.isOpen(), "closed with " + lively.closeCode() + " although it answered pings");
            lively.assertNoMessage(Duration.ofMillis(200)); // pings only
        }
        assertTrue(lively.isOpen(), "closed with " + lively.closeCode());
        assertTrue(lively.pingsReceived() >= 2, "expected pings while silent, got " + lively.pingsReceived());
        api.sendData("/clients/" + lively.clientId() + "/messages", obj("alive", true));
        assertJsonEquals(obj("alive", true), lively.awaitData(Duration.ofSeconds(5)));
    }

    @Test
    void clientTrafficCountsAsSignOfLife() {
        // no pong answers, but the client sends its own application frames every 400 ms
        WsClient chatty = herald.connectQuery("uid=" + Names.unique("chatty"), false);
        long deadline = System.nanoTime() + 2 * TIMEOUT_MS * 1_000_000;
        while (System.nanoTime() < deadline) {
            chatty.sendMessage(obj("tick", System.nanoTime()));
            chatty.assertNoMessage(Duration.ofMillis(400));
            assertTrue(chatty.isOpen(), "closed with " + chatty.closeCode() + " although it kept talking");
        }
        assertEquals(0, chatty.pingsReceived(), "a client that is not silent is not pinged");
    }
}
