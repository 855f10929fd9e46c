package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * A WebSocket test client on the Tyrus standalone client. Text frames are parsed as JSON and queued;
 * a server {"type":"ping"} is answered with {"type":"pong"} unless auto-pong is off. {@link #connect}
 * returns once the welcome frame has arrived (which must be the first frame).
 *
 * <p>"Background" frame types, server pings and any the test adds (e.g. {@code replay} for tests that do
 * not deal with durable streams), are skipped by the await methods unless that type is awaited, and
 * tolerated by {@link #assertNoMessage}.
 */
public final class WsClient implements AutoCloseable {

    private static final ClientManager CONTAINER = createContainer();

    private final URI uri;
    private final Set<String> background;
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger pingsReceived = new AtomicInteger();
    private volatile boolean autoPong;
    private volatile CloseReason closeReason;
    private volatile Session session;
    private JsonObject welcome;

    private WsClient(URI uri, boolean autoPong, Set<String> background) {
        this.uri = uri;
        this.autoPong = autoPong;
        Set<String> b = new HashSet<>(background);
        b.add("ping");
        this.background = Set.copyOf(b);
    }

    private static ClientManager createContainer() {
        ClientManager m = ClientManager.createClient();
        m.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, 15_000);
        m.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, 8 * 1024 * 1024);
        return m;
    }

    /** Connects and waits for the welcome frame (which must be the first frame); only pings are background. */
    public static WsClient connect(URI uri, boolean autoPong) {
        return connect(uri, autoPong, Set.of());
    }

    /** Connects with more background frame types than pings. */
    public static WsClient connect(URI uri, boolean autoPong, Set<String> background) {
        WsClient c = new WsClient(uri, autoPong, background);
        try {
            CONTAINER.connectToServer(c.new Handler(), ClientEndpointConfig.Builder.create().build(), uri);
        } catch (Exception e) {
            throw new AssertionError("WebSocket connect to " + uri + " failed: " + e, e);
        }
        try {
            JsonObject first = c.awaitAnyFrame(Duration.ofSeconds(10));
            assertEquals("welcome", first.getString("type", null), "the first frame after the upgrade: " + first);
            c.welcome = first;
            return c;
        } catch (AssertionError e) {
            c.close();
            throw e;
        }
    }

    public static WsClient connect(URI uri) {
        return connect(uri, true);
    }

    private final class Handler extends Endpoint {
        @Override
        public void onOpen(Session s, EndpointConfig config) {
            session = s;
            s.setMaxTextMessageBufferSize(4 * 1024 * 1024);
            s.addMessageHandler(String.class, WsClient.this::onText);
            s.addMessageHandler(ByteBuffer.class, b ->
                    frames.add(JsonSupport.obj("type", "__binary_frame__", "bytes", b.remaining())));
        }

        @Override
        public void onClose(Session s, CloseReason reason) {
            closeReason = reason;
            closed.countDown();
        }

        @Override
        public void onError(Session s, Throwable t) {
            errors.add(t);
        }
    }

    private void onText(String text) {
        JsonObject frame;
        try {
            JsonValue v = JsonSupport.parse(text);
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                frame = JsonSupport.obj("type", "__not_an_object__", "text", text);
            } else {
                frame = v.asJsonObject();
            }
        } catch (RuntimeException e) {
            frame = JsonSupport.obj("type", "__not_json__", "text", text);
        }
        if ("ping".equals(frame.getString("type", null))) {
            pingsReceived.incrementAndGet();
            if (autoPong) {
                trySend("{\"type\":\"pong\"}");
            }
        }
        frames.add(frame);
    }

    private void trySend(String text) {
        try {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.getBasicRemote().sendText(text);
            }
        } catch (IOException | IllegalStateException e) {
            errors.add(e);
        }
    }

    // ---------------------------------------------------------------- state

    public JsonObject welcome() {
        return welcome;
    }

    public String clientId() {
        return welcome.getString("clientId");
    }

    public URI uri() {
        return uri;
    }

    public void autoPong(boolean on) {
        autoPong = on;
    }

    public int pingsReceived() {
        return pingsReceived.get();
    }

    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen() && closed.getCount() > 0;
    }

    /** The close code, or -1 while open. */
    public int closeCode() {
        CloseReason r = closeReason;
        return r == null ? -1 : r.getCloseCode().getCode();
    }

    public List<Throwable> errors() {
        return new ArrayList<>(errors);
    }

    // ---------------------------------------------------------------- sending

    public void sendText(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException e) {
            throw new AssertionError("send failed: " + e, e);
        }
    }

    public void sendJson(JsonValue frame) {
        sendText(frame.toString());
    }

    /** Sends {"type":"message","data":data}. */
    public void sendMessage(JsonValue data) {
        sendJson(JsonSupport.obj("type", "message", "data", data));
    }

    public void sendBinary(byte[] bytes) {
        try {
            session.getBasicRemote().sendBinary(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new AssertionError("send failed: " + e, e);
        }
    }

    // ---------------------------------------------------------------- receiving

    /** The next frame of any type, or an AssertionError after the timeout. */
    public JsonObject awaitAnyFrame(Duration timeout) {
        try {
            JsonObject f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                fail("client " + describe() + ": no frame within " + timeout.toMillis() + " ms");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The next frame, which must have the given type. Background frames in between are skipped unless
     * that type is awaited; any other frame fails the test.
     */
    public JsonObject awaitFrame(String type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            JsonObject f;
            try {
                f = frames.poll(left, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (f == null) {
                fail("client " + describe() + ": no '" + type + "' frame within " + timeout.toMillis() + " ms");
            }
            String t = f.getString("type", null);
            if (type.equals(t)) {
                return f;
            }
            if (background.contains(t)) {
                continue;
            }
            fail("client " + describe() + ": expected a '" + type + "' frame but got " + f);
        }
    }

    /** The next {"type":"message"} frame. */
    public JsonObject awaitMessage(Duration timeout) {
        return awaitFrame("message", timeout);
    }

    /** The data of the next message frame. */
    public JsonValue awaitData(Duration timeout) {
        JsonObject m = awaitMessage(timeout);
        if (!m.containsKey("data")) {
            fail("message frame without data: " + m);
        }
        return m.get("data");
    }

    /** Skips message frames until one matches; other frame types (but background ones) fail the test. */
    public JsonObject awaitMessage(Predicate<JsonObject> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonObject> skipped = new ArrayList<>();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                fail("client " + describe() + ": no matching message within " + timeout.toMillis() + " ms; skipped " + skipped);
            }
            JsonObject m;
            try {
                m = awaitMessage(Duration.ofMillis(left));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; skipped " + skipped, e);
            }
            if (matching.test(m)) {
                return m;
            }
            skipped.add(m);
        }
    }

    /**
     * Asserts that no frame but background frames arrives for the given time (with a zero duration: that
     * no such frame is waiting now).
     */
    /** The next messages are the group's durable ones {@code from} to {@code to}: in order, without gaps or duplicates. */
    public void awaitGroupSeqs(String group, long from, long to, Duration timeout) {
        for (long seq = from; seq <= to; seq++) {
            JsonObject message = awaitMessage(timeout);
            assertEquals(group, message.getString("group"), message.toString());
            assertEquals(seq, message.getJsonNumber("seq").longValue(), "in order, without gaps or duplicates: " + message);
        }
    }

    public void assertNoMessage(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            JsonObject f;
            try {
                f = frames.poll(left, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (f != null && !background.contains(f.getString("type", null))) {
                fail("client " + describe() + ": expected no frame but got " + f);
            }
            if (f == null || System.nanoTime() - deadline >= 0) {
                return;
            }
        }
    }

    /** Waits for the connection to close and returns the close code. */
    public int awaitClose(Duration timeout) {
        try {
            if (!closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("client " + describe() + ": still open after " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return closeCode();
    }

    public void assertClosedWith(int expectedCode, Duration timeout) {
        assertEquals(expectedCode, awaitClose(timeout),
                "close code of " + describe() + " (reason: " + (closeReason == null ? "" : closeReason.getReasonPhrase()) + ")");
    }

    /** Closes from the client side with 1000 and waits (briefly) for the close handshake. */
    @Override
    public void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            try {
                s.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "bye"));
            } catch (IOException | IllegalStateException ignored) {
                // already closing
            }
        }
        try {
            closed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String describe() {
        return (welcome == null ? "<no welcome yet>" : welcome.getString("clientId", "?")) + " " + uri;
    }
}
