package io.herald.it.process;

import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import jakarta.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One of many light WebSocket clients (the JDK's client, sharing one {@link HttpClient}) that behaves as
 * herald.js does after a lost connection: it reconnects after a random delay and resumes its uid's durable
 * stream from the last seq it processed ({@code ?since=}). It checks as it goes that its durable messages come
 * in seq order with no gap and no duplicate, and counts the ephemeral ones it receives; whatever breaks a
 * rule goes to the shared {@code failures} queue, for the test to report.
 *
 * <p>A "leaver" does not come back once its connection is lost (a browser closed while the node died), so
 * that its uid goes offline. Durable messages carry {@code {"d":n}}, ephemeral ones {@code {"e":n}}.
 */
final class LoadClient {

    /** The random delay before a reconnect (full jitter), as herald.js waits after a lost connection. */
    private static final int RECONNECT_JITTER_MILLIS = 2000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private final String uid;
    private final boolean leaver;
    private final URI base;
    private final HttpClient http;
    private final ScheduledExecutorService timers;
    private final Queue<String> failures;

    // Guarded by this: the listener's calls for one connection come one at a time, but a reconnect and a
    // late callback of the connection before it may overlap.
    private WebSocket socket;
    private int generation;
    private String clientId;
    private String node;
    private long lastSeq;
    private String epoch;
    private final List<Integer> durable = new ArrayList<>();
    private final Map<Integer, Integer> ephemeral = new HashMap<>();
    private int drops;
    private long droppedAtNanos;
    private long resumedAtNanos;
    private boolean stopped;
    private CompletableFuture<Void> ready = new CompletableFuture<>();

    LoadClient(String uid, boolean leaver, URI base, HttpClient http, ScheduledExecutorService timers,
               Queue<String> failures) {
        this.uid = uid;
        this.leaver = leaver;
        this.base = base;
        this.http = http;
        this.timers = timers;
        this.failures = failures;
    }

    String uid() {
        return uid;
    }

    boolean leaver() {
        return leaver;
    }

    /** Connects (the first time); completes when the stream's replay frame has arrived. */
    synchronized CompletableFuture<Void> start() {
        connect();
        return ready;
    }

    /** The node id of the node that holds the current (or the last) connection. */
    synchronized String node() {
        return node;
    }

    synchronized long lastSeq() {
        return lastSeq;
    }

    /** The data of durable message {@code seq} as received, or null. */
    synchronized Integer durable(long seq) {
        return seq >= 1 && seq <= durable.size() ? durable.get((int) seq - 1) : null;
    }

    /** How many times ephemeral push {@code n} arrived. */
    synchronized int ephemeralCount(int n) {
        return ephemeral.getOrDefault(n, 0);
    }

    synchronized int drops() {
        return drops;
    }

    synchronized long droppedAtNanos() {
        return droppedAtNanos;
    }

    /** When the stream was resumed after the last drop (its replay frame), or 0 if it has not been. */
    synchronized long resumedAtNanos() {
        return resumedAtNanos;
    }

    synchronized boolean resumed() {
        return drops > 0 && resumedAtNanos >= droppedAtNanos;
    }

    private synchronized void connect() {
        if (stopped) {
            return;
        }
        int attempt = ++generation;
        URI uri = base.resolve("ws?uid=" + uid + "&since=" + lastSeq + (epoch == null ? "" : "&epoch=" + epoch));
        http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT)
                .buildAsync(uri, new Listener(attempt))
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        retry(attempt);
                    }
                });
    }

    private synchronized void retry(int attempt) {
        if (stopped || attempt != generation) {
            return;
        }
        timers.schedule(this::connect, 1 + ThreadLocalRandom.current().nextInt(RECONNECT_JITTER_MILLIS),
                TimeUnit.MILLISECONDS);
    }

    private synchronized void lost(int attempt) {
        if (stopped || attempt != generation) {
            return;
        }
        socket = null;
        drops++;
        droppedAtNanos = System.nanoTime();
        if (!leaver) {
            retry(attempt);
        }
    }

    private synchronized void frame(int attempt, WebSocket ws, String text) {
        if (attempt != generation) {
            return;
        }
        JsonObject frame = JsonSupport.parse(text).asJsonObject();
        switch (frame.getString("type", "")) {
            case "welcome" -> {
                socket = ws;
                clientId = frame.getString("clientId");
                node = Names.node(clientId);
            }
            case "replay" -> {
                if (!frame.getBoolean("recovered", false) || frame.getJsonNumber("since").longValue() != lastSeq) {
                    failures.add(uid + " (" + clientId + "): the resume from " + lastSeq + " was not recovered: " + frame);
                }
                epoch = frame.getString("epoch", null);
                if (drops > 0) {
                    resumedAtNanos = System.nanoTime();
                }
                ready.complete(null);
            }
            case "message" -> message(frame);
            case "ping" -> ws.sendText("{\"type\":\"pong\"}", true);
            default -> failures.add(uid + " (" + clientId + "): an unexpected frame " + frame);
        }
    }

    private void message(JsonObject frame) {
        JsonObject data = frame.getJsonObject("data");
        if (frame.containsKey("seq")) {
            long seq = frame.getJsonNumber("seq").longValue();
            if (seq != lastSeq + 1) {
                failures.add(uid + " (" + clientId + "): seq " + seq + " after " + lastSeq
                        + (seq <= lastSeq ? " (a duplicate)" : " (a gap)"));
                return;
            }
            lastSeq = seq;
            durable.add(data.getInt("d"));
        } else {
            int n = data.getInt("e");
            if (ephemeral.merge(n, 1, Integer::sum) > 1) {
                failures.add(uid + " (" + clientId + "): ephemeral push " + n + " arrived twice");
            }
        }
    }

    /** Closes the connection and stops reconnecting. */
    void stop() {
        WebSocket ws;
        synchronized (this) {
            stopped = true;
            ws = socket;
            socket = null;
        }
        if (ws != null) {
            ws.abort();
        }
    }

    /** One connection attempt's listener: frames of an older attempt are ignored. */
    private final class Listener implements WebSocket.Listener {
        private final int attempt;
        private final StringBuilder text = new StringBuilder();

        Listener(int attempt) {
            this.attempt = attempt;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence part, boolean last) {
            text.append(part);
            if (last) {
                String whole = text.toString();
                text.setLength(0);
                try {
                    frame(attempt, ws, whole);
                } catch (RuntimeException e) {
                    failures.add(uid + ": a frame that could not be handled: " + whole + ": " + e);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            lost(attempt);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            lost(attempt);
        }
    }
}
