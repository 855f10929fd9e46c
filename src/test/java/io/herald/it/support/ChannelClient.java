package io.herald.it.support;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on the channel ({@code /api/ws}), by hand: sends request frames as given and collects every
 * answer (an answer frame may hold an array of answers), for tests of the protocol itself.
 */
public final class ChannelClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final BlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
    private final Map<String, AtomicInteger> answersById = new ConcurrentHashMap<>();
    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicInteger pings = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int closeCode = -1;
    private WebSocket socket;
    private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);

    private ChannelClient() {
    }

    /** Opens a channel with this API key; fails the test if the upgrade is refused. */
    public static ChannelClient open(URI uri, String key) {
        ChannelClient client = new ChannelClient();
        try {
            client.socket = HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + key)
                    .buildAsync(uri, client.new Listener())
                    .get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the channel to " + uri + " did not open: " + e, e);
        }
        return client;
    }

    /** Sends one text frame as it is. */
    public synchronized void sendText(String frame) {
        sending = sending.thenCompose(previous -> socket.sendText(frame, true));
        sending.join();
    }

    public void send(JsonValue frame) {
        sendText(frame.toString());
    }

    /** The next answer, or a failed test. */
    public JsonObject awaitAnswer(Duration timeout) {
        try {
            JsonObject answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw new AssertionError("no answer within " + timeout);
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next {@code count} answers. */
    public List<JsonObject> awaitAnswers(int count, Duration timeout) {
        List<JsonObject> list = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (list.size() < count) {
            list.add(awaitAnswer(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        }
        return list;
    }

    /** How many answers carried this id (its JSON text, e.g. {@code "\"a\""} or {@code 7}). */
    public int answersFor(String idJson) {
        AtomicInteger n = answersById.get(idJson);
        return n == null ? 0 : n.get();
    }

    /** Answer frames received (a frame with an array counts once). */
    public int frames() {
        return frames.get();
    }

    public int pings() {
        return pings.get();
    }

    /** The close code once the server closed the channel, or a failed test. */
    public int awaitClose(Duration timeout) {
        try {
            if (!closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the channel was not closed within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return closeCode;
    }

    public boolean isOpen() {
        return closed.getCount() > 0;
    }

    @Override
    public void close() {
        if (isOpen()) {
            socket.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frames.incrementAndGet();
                JsonValue frame = JsonSupport.parse(text.toString());
                text.setLength(0);
                List<JsonValue> each = frame.getValueType() == JsonValue.ValueType.ARRAY
                        ? frame.asJsonArray() : List.of(frame);
                for (JsonValue answer : each) {
                    answersById.computeIfAbsent(answer.asJsonObject().get("id").toString(), id -> new AtomicInteger())
                            .incrementAndGet();
                    answers.add(answer.asJsonObject());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null; // the JDK answers with a pong by itself
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            closed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.countDown();
        }
    }
}
