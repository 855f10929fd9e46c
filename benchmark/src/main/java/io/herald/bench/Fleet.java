package io.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * N WebSocket clients (the JDK's java.net.http client), client i bound to uid "b{i}". Frames reach the
 * current {@link Sink}: each scenario installs its own, which checks every message it gets.
 */
final class Fleet implements AutoCloseable {

    /** What a scenario does with the frames its clients receive. Called on the clients' threads. */
    interface Sink {
        void message(Conn conn, String frame, long nanos);

        default void replay(Conn conn, String frame, long nanos) {
        }
    }

    static final Sink IGNORE = (conn, frame, nanos) -> { };

    private final HttpClient[] http;
    private final ExecutorService executor;
    private final Conn[] conns;
    /** Gets replay frames: the current scenario's checker. */
    volatile Sink sink = IGNORE;
    /** Every scenario's checker by its id (the payload's "x"), so that late messages still reach theirs. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Sink> sinks = new java.util.concurrent.ConcurrentHashMap<>();
    /** Messages that name no known scenario. */
    final AtomicLong strays = new AtomicLong();
    final AtomicLong errorsFrames = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final AtomicLong pongsSent = new AtomicLong();
    final AtomicLong pingsSent = new AtomicLong();
    final AtomicLong sendFailures = new AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService keepalive;
    /**
     * Each tick looks at one slice of the clients, so that each is looked at every 5 s. The clients connect
     * within seconds of each other: looked at all at once, they would all ping in the same instant every
     * 20 s: a burst of 10,000 frames for the server and this tool, in the middle of a latency measurement,
     * that real clients, connected at different times, do not make.
     */
    private static final long KEEPALIVE_TICK_MILLIS = 100;
    private static final int KEEPALIVE_SLICES = 50;
    private int keepaliveTick;
    /** Unexpected closes by close code (-1: an error without a close frame). */
    final java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong> closeCodes = new java.util.concurrent.ConcurrentHashMap<>();

    Fleet(int n, int selectors, int threads) {
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fleet");
            t.setDaemon(true);
            return t;
        });
        http = new HttpClient[selectors];
        for (int i = 0; i < selectors; i++) {
            http[i] = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(20)).build();
        }
        conns = new Conn[n];
        // Like a real client, each one pings the server when it has sent nothing for a while: the server's
        // heartbeat then never has to rely on its own pings reaching an idle client in time.
        keepalive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-keepalive");
            t.setDaemon(true);
            return t;
        });
        keepalive.scheduleWithFixedDelay(this::keepalive, KEEPALIVE_TICK_MILLIS, KEEPALIVE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void keepalive() {
        long now = System.nanoTime();
        int slice = keepaliveTick++ % KEEPALIVE_SLICES;
        for (int i = slice; i < conns.length; i += KEEPALIVE_SLICES) {
            Conn conn = conns[i];
            if (conn != null && conn.ws != null && !conn.closed && now - conn.lastSent > TimeUnit.SECONDS.toNanos(20)) {
                conn.send("{\"type\":\"ping\"}");
                pingsSent.incrementAndGet();
            }
        }
    }

    /** Whether client i's connection ended (closed or failed) without the tool asking for it. */
    boolean closed(int index) {
        Conn conn = conns[index];
        return conn == null || conn.closed;
    }

    /** Makes the checker current, and the one that gets the messages of scenario {@code id} from now on. */
    void register(long id, Sink checker) {
        sinks.put(id, checker);
        sink = checker;
    }

    private void dispatch(Conn conn, String frame, long nanos) {
        int d = frame.indexOf("\"data\":");
        long x = d < 0 ? Long.MIN_VALUE : number(frame, "\"x\":", d);
        Sink checker = sinks.get(x);
        if (checker == null) {
            strays.incrementAndGet();
        } else {
            checker.message(conn, frame, nanos);
        }
    }

    static String uid(int index) {
        return "b" + index;
    }

    int size() {
        return conns.length;
    }

    Conn conn(int index) {
        return conns[index];
    }

    record ConnectResult(int opened, int failed, long nanos, List<String> sampleErrors) {
    }

    /**
     * Opens clients [from, to) with at most {@code inFlight} handshakes under way, each counted as open once
     * its welcome frame arrived. Bounded by {@code timeout}.
     */
    ConnectResult connect(int from, int to, IntFunction<String> url, int inFlight, Duration timeout)
            throws InterruptedException {
        return connect(from, to, url, inFlight, timeout, conn -> { });
    }

    /** As above; {@code init} prepares each client before its handshake starts. */
    ConnectResult connect(int from, int to, IntFunction<String> url, int inFlight, Duration timeout,
                          java.util.function.Consumer<Conn> init) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> errors = new ArrayList<>();
        CompletableFuture<?>[] all = new CompletableFuture<?>[to - from];
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        for (int i = from; i < to; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                for (int j = i; j < to; j++) {
                    all[j - from] = CompletableFuture.completedFuture(null);
                    failed.incrementAndGet();
                }
                break;
            }
            Conn conn = new Conn(this, i);
            init.accept(conn);
            conns[i] = conn;
            CompletableFuture<Void> done = new CompletableFuture<>();
            all[i - from] = done;
            http[i % http.length].newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(URI.create(url.apply(i)), conn)
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            failed.incrementAndGet();
                            synchronized (errors) {
                                if (errors.size() < 5) {
                                    errors.add(String.valueOf(error.getCause() != null ? error.getCause() : error));
                                }
                            }
                            permits.release();
                            done.complete(null);
                            return;
                        }
                        conn.welcome.orTimeout(30, TimeUnit.SECONDS).whenComplete((v, e) -> {
                            if (e == null) {
                                opened.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            permits.release();
                            done.complete(null);
                        });
                    });
        }
        try {
            CompletableFuture.allOf(all).get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(35),
                    TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // counted below: whatever did not open in time failed
        }
        long nanos = System.nanoTime() - start;
        int ok = opened.get();
        return new ConnectResult(ok, (to - from) - ok, nanos, errors);
    }

    /** Drops every connection at once (TCP close, no close frame): what a network outage looks like. */
    void abortAll() {
        for (Conn conn : conns) {
            if (conn != null) {
                conn.expectClose = true;
                WebSocket ws = conn.ws;
                if (ws != null) {
                    ws.abort();
                }
            }
        }
    }

    @Override
    public void close() {
        sink = IGNORE;
        keepalive.shutdownNow();
        abortAll();
        executor.shutdownNow();
    }

    /** One client: its uid is {@code b<index>}. The listener's calls are sequential for one connection. */
    static final class Conn implements WebSocket.Listener {
        final Fleet fleet;
        final int index;
        final CompletableFuture<Void> welcome = new CompletableFuture<>();
        volatile WebSocket ws;
        volatile boolean expectClose;
        /** Ended without the tool asking for it. */
        volatile boolean closed;
        volatile long lastSent = System.nanoTime();
        private StringBuilder partial;
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        // Durable-stream state, touched only on this connection's listener thread (and read after drains).
        volatile long lastSeq;
        volatile long ackedSeq;
        /** From the welcome frame: what the REST API names this client by (group joins). */
        volatile String clientId;

        Conn(Fleet fleet, int index) {
            this.fleet = fleet;
            this.index = index;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            String frame;
            if (!last) {
                if (partial == null) {
                    partial = new StringBuilder();
                }
                partial.append(data);
                webSocket.request(1);
                return null;
            }
            if (partial != null) {
                frame = partial.append(data).toString();
                partial = null;
            } else {
                frame = data.toString();
            }
            if (frame.startsWith("[")) {
                elements(frame, now);
            } else {
                handle(frame, now);
            }
            webSocket.request(1);
            return null;
        }

        /**
         * Joined frames ({@code batch=1}): each object of the array is handled as if it had come alone, so it
         * goes through the same checks (lost, duplicate, order). Strings in the objects may hold any character.
         */
        private void elements(String array, long now) {
            int depth = 0;
            int start = -1;
            boolean inString = false;
            for (int i = 0; i < array.length(); i++) {
                char c = array.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++; // the escaped character, which may be a quote
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    if (++depth == 2) {
                        start = i;
                    }
                } else if (c == '}' || c == ']') {
                    if (--depth == 1) {
                        handle(array.substring(start, i + 1), now);
                    }
                }
            }
        }

        private void handle(String frame, long now) {
            if (frame.startsWith("{\"type\":\"message\"")) {
                fleet.dispatch(this, frame, now);
            } else if (frame.startsWith("{\"type\":\"welcome\"")) {
                int at = frame.indexOf("\"clientId\":\"");
                if (at >= 0) {
                    clientId = frame.substring(at + 12, frame.indexOf('"', at + 12));
                }
                welcome.complete(null);
            } else if (frame.startsWith("{\"type\":\"ping\"")) {
                send("{\"type\":\"pong\"}");
                fleet.pongsSent.incrementAndGet();
            } else if (frame.startsWith("{\"type\":\"replay\"")) {
                fleet.sink.replay(this, frame, now);
            } else if (frame.startsWith("{\"type\":\"error\"")) {
                fleet.errorsFrames.incrementAndGet();
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!expectClose) {
                closed = true;
                fleet.unexpectedCloses.incrementAndGet();
                fleet.closeCodes.computeIfAbsent(statusCode, c -> new AtomicLong()).incrementAndGet();
            }
            welcome.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!expectClose) {
                closed = true;
                fleet.unexpectedCloses.incrementAndGet();
                fleet.closeCodes.computeIfAbsent(-1, c -> new AtomicLong()).incrementAndGet();
            }
            welcome.completeExceptionally(error);
        }

        /** Sends a text frame after any still in flight (the API allows one outstanding send). */
        void send(String text) {
            WebSocket socket = ws;
            if (socket == null) {
                return;
            }
            synchronized (this) {
                lastSent = System.nanoTime();
                sending = sending.handle((v, e) -> null).thenCompose(v -> socket.sendText(text, true))
                        .whenComplete((w, e) -> {
                            if (e != null && !expectClose) {
                                fleet.sendFailures.incrementAndGet();
                            }
                        });
            }
        }

        void ack(long seq) {
            if (seq > ackedSeq) {
                ackedSeq = seq;
                send("{\"type\":\"ack\",\"seq\":" + seq + "}");
            }
        }
    }

    /** The number after {@code "key":} in the frame (searched from {@code from}), or Long.MIN_VALUE. */
    static long number(String frame, String key, int from) {
        int at = frame.indexOf(key, from);
        if (at < 0) {
            return Long.MIN_VALUE;
        }
        int i = at + key.length();
        boolean negative = false;
        if (i < frame.length() && frame.charAt(i) == '-') {
            negative = true;
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            digits++;
        }
        if (digits == 0) {
            return Long.MIN_VALUE;
        }
        return negative ? -value : value;
    }
}
