package io.herald.it;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import io.herald.it.support.RawHttp;
import io.herald.it.support.SseClient;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event stream door, {@code GET /sse} and the POST URL its welcome names (PROTOCOL.md, "Event stream"),
 * read with the JDK's HTTP client: the handshake checks, pushes, durable messages with their seq as the event
 * id, resuming with Last-Event-ID, acks and other frames by POST with their limits, heartbeat, close, drain.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SseIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int FRAME_MAX = 1024;
    private static final String GOOD_ORIGIN = "http://good.example";
    private static final int POST_BODY_SECONDS = 3;
    /**
     * Posts left without the rest of their body at once: more than a 2-core WildFly's request threads (16 per
     * core), spread over clients so that each stays within its burst of 10 frames.
     */
    private static final int STALLED_CLIENTS = 7;
    private static final int STALLED_PER_CLIENT = 10;

    private final List<SseClient> streams = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-sse.war", Deployments.config(
                "herald.frame.max-bytes", String.valueOf(FRAME_MAX),
                "herald.limits.messages-per-second", "5",
                "herald.limits.messages-burst", "10",
                "herald.limits.post-body-seconds", String.valueOf(POST_BODY_SECONDS),
                "herald.heartbeat.interval-seconds", "1",
                "herald.heartbeat.timeout-seconds", "3",
                "herald.allowed-origins", GOOD_ORIGIN,
                "herald.drain.spread-ms", "0",
                "herald.drain.grace-ms", "5000"));
    }

    /** The durable tests read the replay event. */
    @Override
    protected Herald open(URL url) {
        return Herald.at(url);
    }

    @AfterEach
    void closeStreams() {
        streams.forEach(SseClient::close);
    }

    private SseClient stream(String query, String... headers) {
        SseClient client = SseClient.open(herald.sseUri(query), headers);
        streams.add(client);
        return client;
    }

    /** A stream as the given uid that answers pings. */
    private SseClient live(String uid) {
        SseClient client = stream("uid=" + uid);
        assertEquals(200, client.status());
        assertTrue(client.header("Content-Type").startsWith("text/event-stream"), client.header("Content-Type"));
        client.welcome();
        return client.answeringPings();
    }

    private long push(String uid, Object data) {
        return api.post("/uids/" + uid + "/messages", obj("data", data)).expect(202)
                .object().getJsonNumber("seq").longValue();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = JsonSupport.parse(response.body()).asJsonObject();
        assertEquals(status, body.getInt("status"), response.body());
        assertEquals(code, body.getString("code"), response.body());
    }

    @Test
    void theHandshakeChecksOfTheWebSocketApply() {
        SseClient badToken = stream("token=not-a-jwt");
        assertEquals(401, badToken.status());
        assertEquals("token_invalid", badToken.refusal().getString("code"));
        assertNotNull(badToken.header("WWW-Authenticate"));

        SseClient badOrigin = stream("uid=" + Names.unique("o"), "Origin", "http://evil.example");
        assertEquals(403, badOrigin.status());
        assertEquals("origin_not_allowed", badOrigin.refusal().getString("code"));

        SseClient badSince = stream("uid=" + Names.unique("s"), "Last-Event-ID", "yesterday");
        assertEquals(400, badSince.status());
        assertEquals("bad_since", badSince.refusal().getString("code"));

        SseClient goodOrigin = stream("uid=" + Names.unique("g"), "Origin", GOOD_ORIGIN);
        assertEquals(200, goodOrigin.status());
        assertEquals(GOOD_ORIGIN, goodOrigin.header("Access-Control-Allow-Origin"));
    }

    @Test
    void aStreamClientIsAClientLikeAnyOther() {
        String uid = Names.unique("sse");
        SseClient client = live(uid);
        JsonObject welcome = client.welcome();
        assertEquals(uid, welcome.getString("uid"));
        assertEquals(1000, welcome.getJsonObject("heartbeat").getInt("interval"));
        assertTrue(welcome.getString("post").startsWith("sse/" + client.clientId() + "/"), welcome.toString());

        JsonObject info = api.get("/clients/" + client.clientId()).expect(200).object();
        assertEquals(uid, info.getString("uid"));
        api.joinGroup("room", client.clientId());
        api.post("/groups/room/messages", obj("data", obj("hello", "room"))).expect(202);
        SseClient.Event message = client.await("message", WAIT);
        assertJsonEquals(obj("hello", "room"), message.frame().get("data"));
        assertNull(message.id(), "an ephemeral message has no event id");

        assertEquals(204, client.post("{\"type\":\"ping\"}").statusCode());
        client.await("pong", WAIT);
    }

    @Test
    void durableMessagesCarryTheirSeqAsEventIdAndAcksArePosted() {
        String uid = Names.unique("durable");
        push(uid, "one");
        push(uid, "two");
        SseClient client = live(uid);
        JsonObject replay = client.await("replay", WAIT).frame();
        assertEquals(2, replay.getJsonNumber("seq").longValue());
        for (long seq = 1; seq <= 2; seq++) {
            SseClient.Event event = client.await("message", WAIT);
            assertEquals(String.valueOf(seq), event.id());
            assertEquals(seq, event.frame().getJsonNumber("seq").longValue());
        }
        push(uid, "three");
        assertEquals("3", client.await("message", WAIT).id());

        assertEquals(204, client.post("{\"type\":\"ack\",\"seq\":2}").statusCode());
        eventually(WAIT, () -> assertEquals(2, api.get("/clients/" + client.clientId()).expect(200).object()
                .getJsonObject("cursor").getJsonNumber("acked").longValue()));

        assertEquals(204, client.post("{\"type\":\"ack\",\"seq\":99}").statusCode());
        assertEquals("bad_ack", client.await("error", WAIT).frame().getString("code"),
                "what a well-formed frame then causes comes on the stream");
    }

    @Test
    void lastEventIdResumesTheStreamWithoutGapOrDuplicate() {
        String uid = Names.unique("resume");
        SseClient first = live(uid);
        first.await("replay", WAIT);
        for (int i = 1; i <= 3; i++) {
            push(uid, i);
        }
        String lastId = null;
        for (int i = 1; i <= 3; i++) {
            lastId = first.await("message", WAIT).id();
        }
        first.close();
        push(uid, 4);
        push(uid, 5);

        SseClient again = stream("uid=" + uid, "Last-Event-ID", lastId);
        assertEquals(200, again.status());
        again.welcome();
        JsonObject replay = again.await("replay", WAIT).frame();
        assertEquals(3, replay.getJsonNumber("since").longValue());
        assertTrue(replay.getBoolean("recovered"));
        assertEquals("4", again.await("message", WAIT).id());
        assertEquals("5", again.await("message", WAIT).id());
        push(uid, 6);
        assertEquals("6", again.await("message", WAIT).id(), "no gap, no duplicate, then live");
    }

    @Test
    void postsAreRefusedInHeraldsWords() {
        SseClient client = live(Names.unique("posts"));
        URI post = client.postUri();
        String path = post.toString();
        URI wrongSecret = URI.create(path.substring(0, path.lastIndexOf('/') + 1) + "wrong");
        assertError(SseClient.post(wrongSecret, "{\"type\":\"ping\"}"), 403, "bad_secret");
        URI unknown = herald.sseUri(null).resolve("sse/nobody-1/" + path.substring(path.lastIndexOf('/') + 1));
        assertError(SseClient.post(unknown, "{\"type\":\"ping\"}"), 404, "client_not_found");

        assertError(client.post("{\"type\":\"message\",\"data\":\"" + "x".repeat(FRAME_MAX) + "\"}"),
                413, "frame_too_large");
        assertError(client.post("{not json"), 400, "bad_json");
        assertError(client.post("[1]"), 400, "bad_json");
        assertError(client.post("{\"type\":7}"), 400, "bad_frame");
        assertEquals(204, client.post("{\"type\":\"ping\"}").statusCode(), "the client stays after refused posts");
    }

    /** A frame posted without a length (chunked) is read piece by piece as the rate allows, and bounded alike. */
    @Test
    void postsWithoutALengthAreTakenAndBoundedToo() {
        SseClient client = live(Names.unique("chunked"));
        String path = client.postUri().getRawPath();
        RawHttp.Response answered = RawHttp.exchange(herald.port(), chunked(path, "{\"type\":", "\"ping\"}"));
        assertEquals(204, answered.status(), answered.head() + answered.body());
        assertEquals("pong", client.await("pong", WAIT).frame().getString("type"));

        String over = "{\"type\":\"message\",\"data\":\"" + "x".repeat(FRAME_MAX) + "\"}";
        RawHttp.Response refused = RawHttp.exchange(herald.port(), chunked(path, over.substring(0, 600), over.substring(600)));
        assertEquals(413, refused.status(), refused.head() + refused.body());
        assertTrue(refused.body().contains("frame_too_large"), refused.body());
    }

    private static byte[] chunked(String path, String... chunks) {
        StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for (String chunk : chunks) {
            request.append(Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length)).append("\r\n")
                    .append(chunk).append("\r\n");
        }
        return request.append("0\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Posts whose bodies stop coming hold no request thread: with more of them open than the server has
     * request threads, another client's post and a REST call are answered meanwhile; each stalled post is
     * answered 408 body_timeout once herald.limits.post-body-seconds have passed.
     */
    @Test
    void postsWhoseBodiesStopComingHoldNoThreadAndAreAnswered408() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int c = 0; c < STALLED_CLIENTS; c++) {
                String path = live(Names.unique("stall")).postUri().getRawPath();
                for (int p = 0; p < STALLED_PER_CLIENT; p++) {
                    Socket socket = new Socket("127.0.0.1", herald.port());
                    socket.setSoTimeout((int) WAIT.toMillis());
                    // Half as forms: a container or JAX-RS runtime that reads form parameters must not read these.
                    String type = p % 2 == 0 ? "text/plain" : "application/x-www-form-urlencoded";
                    socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                            + type + "\r\nContent-Length: 100\r\n\r\n{\"type\":").getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().flush();
                    stalled.add(socket);
                }
            }
            SseClient other = live(Names.unique("unstalled"));
            HttpResponse<String> answered = CompletableFuture.supplyAsync(() -> other.post("{\"type\":\"ping\"}"))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(204, answered.statusCode(), "another client's post is answered: " + answered.body());
            assertEquals("pong", other.await("pong", WAIT).frame().getString("type"));
            api.get("/uids/" + Names.unique("nobody")).expect(200);

            for (Socket socket : stalled) {
                RawHttp.Response refused = RawHttp.response(socket.getInputStream());
                assertEquals(408, refused.status(), refused.head() + refused.body());
                assertTrue(refused.body().contains("body_timeout"), refused.body());
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void postsAreChargedToTheClientsRate() {
        SseClient client = live(Names.unique("flood"));
        int limited = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = client.post("{\"type\":\"message\",\"data\":" + i + "}");
            if (response.statusCode() == 429) {
                assertError(response, 429, "rate_limited");
                limited++;
            } else {
                assertEquals(204, response.statusCode(), response.body());
            }
        }
        assertTrue(limited > 0, "30 posts at once exceed a burst of 10");
        assertEquals("rate_limited", client.await("error", WAIT).frame().getString("code"));
    }

    @Test
    void aClientThatDoesNotPostIsPingedThenClosedWith4000() {
        SseClient silent = stream("uid=" + Names.unique("silent"));
        silent.welcome();
        silent.await("ping", WAIT);
        JsonObject close = silent.await("close", WAIT).frame();
        assertEquals(4000, close.getInt("code"));
        assertTrue(silent.awaitEnd(WAIT), "the stream ends after the close event");
        eventually(WAIT, () -> api.get("/clients/" + silent.clientId()).expectError(404, "client_not_found"));
    }

    @Test
    void aClientThatAnswersPingsStays() {
        SseClient lively = live(Names.unique("lively"));
        String id = lively.clientId();
        // Past the 3 s timeout several times over: the pongs it posts keep it.
        for (int i = 0; i < 8; i++) {
            api.sendData("/clients/" + id + "/messages", obj("i", i));
            assertEquals(i, lively.await("message", WAIT).frame().getJsonObject("data").getInt("i"));
            sleep(1000);
        }
        assertFalse(lively.received().stream().anyMatch(e -> e.type().equals("close")), "not closed");
    }

    @Test
    void aClientWhoseStreamIsGoneIsDropped() {
        SseClient client = live(Names.unique("gone"));
        String id = client.clientId();
        api.get("/clients/" + id).expect(200);
        client.close();
        // The next event written to it (a ping, at the latest) fails, or its silence times out.
        eventually(WAIT, () -> api.get("/clients/" + id).expectError(404, "client_not_found"));
    }

    /**
     * A stream that is never read (a small receive window, nothing read after the welcome) while its client
     * keeps posting pongs fills its send queue and is closed as a slow consumer (4001); a reading client
     * meanwhile gets each message in order as it is sent, and new streams still open and are served.
     */
    @Test
    void aStreamThatIsNotReadIsClosedAsASlowConsumerAndDelaysNoOne() throws IOException {
        int slowClosesBefore = api.stats().getInt("slowConsumerCloses");
        SseClient normal = live(Names.unique("reader"));
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), herald.port()), 10_000);
            slow.setSoTimeout(15_000);
            String path = herald.sseUri(null).getRawPath() + "?uid=" + Names.unique("stuck");
            slow.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String welcome = welcomeOf(slow.getInputStream());
            String slowId = field(welcome, "clientId");
            api.get("/clients/" + slowId).expect(200);
            // Alive by the heartbeat's measure (it posts), so that only its send queue can close it.
            URI post = herald.sseUri(null).resolve(field(welcome, "post"));
            ScheduledExecutorService pongs = Executors.newSingleThreadScheduledExecutor();
            pongs.scheduleAtFixedRate(() -> SseClient.post(post, "{\"type\":\"pong\"}"), 0, 500, TimeUnit.MILLISECONDS);
            try {
                String pad = "x".repeat(60_000);
                int broadcasts = 300;
                // Each broadcast reaches the reading client before the next is sent, so that only the unread stream
                // piles them up: sent all at once, 18 MB outran a reader that paused (a busy test JVM), and its
                // own queue (herald.send-queue.max-bytes, 1 MiB) closed it too.
                for (int i = 0; i < broadcasts; i++) {
                    api.post("/broadcast", obj("data", obj("i", i, "pad", pad))).expect(202);
                    assertEquals(i, normal.await("message", WAIT).frame().getJsonObject("data").getInt("i"), "in order");
                }
                eventually(Duration.ofSeconds(30), () -> api.get("/clients/" + slowId).expectError(404, "client_not_found"));
                assertTrue(api.stats().getInt("slowConsumerCloses") > slowClosesBefore, "closed as a slow consumer");
            } finally {
                pongs.shutdownNow();
            }
        }
        SseClient after = live(Names.unique("after"));
        api.sendData("/clients/" + after.clientId() + "/messages", obj("still", "served"));
        assertJsonEquals(obj("still", "served"), after.await("message", WAIT).frame().get("data"));
    }

    /** Reads the response head and the welcome event, no further. */
    private static String welcomeOf(InputStream in) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the stream ended before its welcome: " + seen);
            }
            seen.append((char) b);
            if (b == '\n' && seen.indexOf("\"type\":\"welcome\"") >= 0) {
                assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
                return seen.toString();
            }
        }
    }

    private static String field(String text, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(text);
        assertTrue(value.find(), name + " in " + text);
        return value.group(1);
    }

    @Test
    void theApplicationsCloseIsAnEventThenTheEnd() {
        SseClient client = live(Names.unique("closed"));
        api.delete("/clients/" + client.clientId()).expect(204);
        JsonObject close = client.await("close", WAIT).frame();
        assertEquals(4100, close.getInt("code"));
        assertTrue(client.awaitEnd(WAIT));
        assertError(client.post("{\"type\":\"ping\"}"), 404, "client_not_found");
    }

    @Test
    void aDrainEndsEveryStreamWithAReconnectHintAndRefusesNewOnes() {
        SseClient client = live(Names.unique("drained"));
        try {
            api.post("/node/drain", obj()).expect(202);
            SseClient.Event close = client.await("close", WAIT);
            assertEquals(1012, close.frame().getInt("code"));
            assertTrue(close.retry() > 0, "a reconnect delay for EventSource: " + close);
            assertTrue(client.awaitEnd(WAIT));

            SseClient refused = stream("uid=" + Names.unique("late"));
            assertEquals(503, refused.status());
            assertEquals("draining", refused.refusal().getString("code"));
            assertNotNull(refused.header("Retry-After"));
        } finally {
            api.delete("/node/drain").expect(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
