package io.herald.client;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection to the server's backend channel and the requests on it.
 *
 * <p>States: no connection (waiting for the backoff's next attempt, or connecting) and connected. Requests are
 * queued whatever the state; while connected they are taken from the queue's head, coalesced into frames, and
 * kept "in flight" until answered, at most {@code maxInFlight} at a time (the server answers more with 429).
 * When the connection is lost, the in-flight requests that can be re-sent go back to the queue's head, the
 * others fail with {@link HeraldException#CONNECTION_LOST}, and the channel reconnects with full-jitter backoff.
 *
 * <p>One lock guards the state; it is never held while calling the WebSocket, whose own callbacks may run on
 * other threads. Answers complete their futures on the settings' executor, never on the WebSocket's reading
 * thread, so that a slow callback of the application cannot stall the reading of answers.
 */
final class Channel {

    private static final Logger LOG = Logger.getLogger(Channel.class.getName());

    private final Settings settings;
    private final HttpClient http;
    private final ScheduledExecutorService timers;
    private final Executor completions;
    private final Backoff backoff;
    private final AtomicLong numbers = new AtomicLong();

    private final Object lock = new Object();
    private final RequestQueue queue;
    private final Map<Long, Request> inFlight = new HashMap<>();
    private Link link;
    private boolean connecting;
    private int failedAttempts;
    private boolean closing;
    private boolean closed;

    Channel(Settings settings, HttpClient http, ScheduledExecutorService timers, Executor completions) {
        this.settings = settings;
        this.http = http;
        this.timers = timers;
        this.completions = completions;
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.queue = new RequestQueue(settings.maxQueuedRequests(), settings.maxQueuedBytes());
    }

    /** One WebSocket connection and what belongs to it alone. */
    private final class Link implements WebSocket.Listener {
        WebSocket socket;
        boolean sending;
        boolean lost;
        /** The server answered 503 draining: it closes this connection (1012) once it has answered the rest. */
        boolean draining;
        /** When a frame of any kind (answers, pings, pongs) last arrived; read by the watchdog. */
        volatile long heardNanos = System.nanoTime();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            heardNanos = System.nanoTime(); // the JDK answers the ping itself
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            heardNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            heardNanos = System.nanoTime();
            // A long answer frame may come in parts; only the whole text is JSON.
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                answered(this, frame);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lose(this, "the channel was closed: " + statusCode + (reason.isEmpty() ? "" : " " + reason), null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lose(this, "the channel broke: " + error, error);
        }
    }

    /** Opens the first connection; requests submitted before it opens wait in the queue. */
    void start() {
        connect();
        long every = settings.pingInterval().toMillis();
        if (every > 0) {
            timers.scheduleWithFixedDelay(this::watch, every, Math.max(every / 4, 1), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A connection whose other end vanished without a FIN or RST (a dead NAT entry, a pulled cable) would
     * otherwise hold its in-flight requests until they time out: ping it after {@code pingInterval} of
     * silence, and give it up after twice that, so that they are re-sent on a new one.
     */
    private void watch() {
        Link current;
        synchronized (lock) {
            current = link;
        }
        if (current == null) {
            return;
        }
        long silent = System.nanoTime() - current.heardNanos;
        long interval = settings.pingInterval().toNanos();
        if (silent >= 2 * interval) {
            lose(current, "nothing was heard on the channel for " + (silent / 1_000_000) + " ms", null);
        } else if (silent >= interval) {
            try {
                current.socket.sendPing(ByteBuffer.allocate(0));
            } catch (RuntimeException e) {
                // a ping still outstanding: the next check tries again, or gives the connection up
            }
        }
    }

    long nextNumber() {
        return numbers.incrementAndGet();
    }

    /** Queues the call; the future fails at once if it cannot be queued. */
    CompletableFuture<Answer> submit(Call call) {
        Request request = new Request(nextNumber(), call);
        if (request.bytes > settings.maxFrameBytes()) {
            return CompletableFuture.failedFuture(new HeraldException(0, HeraldException.REQUEST_TOO_LARGE,
                    request + " is " + request.bytes + " bytes, over maxFrameBytes " + settings.maxFrameBytes()
                            + "; it was not sent"));
        }
        synchronized (lock) {
            if (closing) {
                return CompletableFuture.failedFuture(new HeraldException(0, HeraldException.CLIENT_CLOSED,
                        "the client is closed; " + request + " was not sent"));
            }
            try {
                queue.add(request);
            } catch (QueueFullException full) {
                return CompletableFuture.failedFuture(full);
            }
            request.timeout = timers.schedule(() -> expire(request), settings.requestTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        pump();
        return request.answer;
    }

    /** Sends the next frame if connected, no send is under way, and the in-flight limit leaves room. */
    private void pump() {
        Link current;
        Frame frame;
        synchronized (lock) {
            current = link;
            if (current == null || current.sending || current.draining || closed) {
                return;
            }
            int room = settings.maxInFlight() - inFlight.size();
            if (room <= 0) {
                return;
            }
            frame = Frame.next(queue, Math.min(room, settings.maxRequestsPerFrame()), settings.maxFrameBytes());
            if (frame == null) {
                return;
            }
            // In flight from now: an answer may arrive before sendText's future completes.
            for (Request request : frame.requests()) {
                inFlight.put(request.number, request);
            }
            current.sending = true;
        }
        CompletableFuture<WebSocket> sent;
        try {
            // java.net.http allows one outstanding sendText: the next frame waits for this one's future.
            sent = current.socket.sendText(frame.text(), true);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenCompleteAsync((socket, error) -> {
            if (error != null) {
                lose(current, "a frame could not be sent: " + error, error);
                return;
            }
            synchronized (lock) {
                current.sending = false;
            }
            pump();
        }, timers);
    }

    private void answered(Link from, String text) {
        List<Answers.Numbered> answers;
        try {
            answers = Answers.parse(text);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Herald client: an answer frame that is not an answer was ignored: {0}", e.toString());
            return;
        }
        List<Runnable> done = new ArrayList<>(answers.size());
        boolean requeued = false;
        synchronized (lock) {
            if (from.lost) {
                return; // its in-flight requests are queued again, or failed: they get their answers from the next link
            }
            for (Answers.Numbered numbered : answers) {
                Request request = numbered.number() == null ? null : inFlight.remove(numbered.number());
                if (request == null) {
                    // Timed out already, or the server could not read a frame (id null): nothing to complete.
                    if (numbered.number() == null) {
                        LOG.log(Level.WARNING, "Herald client: the server could not read a request frame: {0}",
                                numbered.answer().body());
                    }
                    continue;
                }
                if (numbered.answer().status() == 429 && isCode(numbered.answer(), "too_many_in_flight")) {
                    // Not done by the server: send it again once an answer makes room.
                    queue.requeue(List.of(request));
                    requeued = true;
                    continue;
                }
                if (numbered.answer().status() == 503 && isCode(numbered.answer(), "draining")) {
                    // Not done either; the node closes this connection soon (1012): send it on the next one.
                    queue.requeue(List.of(request));
                    from.draining = true;
                    continue;
                }
                done.add(() -> complete(request, numbered.answer()));
            }
        }
        if (!done.isEmpty()) {
            completions.execute(() -> done.forEach(Runnable::run));
        }
        if (!done.isEmpty() || requeued) {
            timers.execute(this::pump);
        }
    }

    private static boolean isCode(Answer answer, String code) {
        return answer.body() != null && answer.body().getValueType() == jakarta.json.JsonValue.ValueType.OBJECT
                && code.equals(answer.body().asJsonObject().getString("code", null));
    }

    private void complete(Request request, Answer answer) {
        if (request.timeout != null) {
            request.timeout.cancel(false);
        }
        request.answer.complete(answer);
    }

    private void fail(Request request, HeraldException error) {
        if (request.timeout != null) {
            request.timeout.cancel(false);
        }
        completions.execute(() -> request.answer.completeExceptionally(error));
    }

    private void expire(Request request) {
        boolean removed;
        synchronized (lock) {
            removed = queue.remove(request) || inFlight.remove(request.number) != null;
        }
        if (removed) {
            fail(request, new HeraldException(0, HeraldException.TIMEOUT, request + " got no answer within "
                    + settings.requestTimeout() + " (requestTimeout); the server may or may not have done it"));
            timers.execute(this::pump);
        }
    }

    private void connect() {
        Link next = new Link();
        synchronized (lock) {
            if (closed || link != null || connecting) {
                return;
            }
            connecting = true;
        }
        CompletableFuture<WebSocket> opening;
        try {
            opening = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + settings.apiKey())
                    .connectTimeout(settings.connectTimeout())
                    .buildAsync(settings.uri(), next);
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenCompleteAsync((socket, error) -> {
            if (error != null) {
                refused(unwrap(error));
            } else {
                opened(next, socket);
            }
        }, timers);
    }

    private void opened(Link next, WebSocket socket) {
        boolean keep;
        synchronized (lock) {
            connecting = false;
            next.socket = socket;
            keep = !next.lost && !closed;
            if (keep) {
                link = next;
                failedAttempts = 0;
            }
        }
        if (!keep) {
            socket.abort();
            reconnectLater(0);
            return;
        }
        LOG.log(Level.FINE, "Herald client: connected to {0}", settings.uri());
        pump();
    }

    private void refused(Throwable error) {
        List<Request> unauthorized = List.of();
        long retryAfterMillis = 0;
        String why = error.toString();
        if (error instanceof WebSocketHandshakeException handshake) {
            int status = handshake.getResponse().statusCode();
            why = "the server refused the channel with HTTP " + status;
            if (status == 401) {
                // A wrong key or a closed API: the queued requests could never be sent; the client still retries,
                // so that a corrected configuration on the server is picked up.
                synchronized (lock) {
                    unauthorized = queue.clear();
                }
            }
            // 503 draining: wait as asked, but no longer than the backoff's cap (behind a load balancer the next
            // attempt may well reach another node).
            retryAfterMillis = Math.min(settings.backoffCap().toMillis(), handshake.getResponse().headers()
                    .firstValue("Retry-After").map(Channel::seconds).orElse(0L) * 1000);
        }
        synchronized (lock) {
            connecting = false;
        }
        LOG.log(unauthorized.isEmpty() ? Level.FINE : Level.WARNING,
                "Herald client: cannot connect to {0}: {1}", new Object[] {settings.uri(), why});
        for (Request request : unauthorized) {
            fail(request, new HeraldException(401, "unauthorized", why + ": the API key is not accepted; "
                    + request + " was not sent"));
        }
        reconnectLater(retryAfterMillis);
    }

    private static long seconds(String value) {
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void lose(Link lostLink, String why, Throwable error) {
        List<Request> failed = new ArrayList<>();
        synchronized (lock) {
            if (lostLink.lost) {
                return;
            }
            lostLink.lost = true;
            if (link != lostLink) {
                return; // not open yet: opened() sees it lost and reconnects
            }
            link = null;
            List<Request> resend = new ArrayList<>();
            for (Request request : inFlight.values()) {
                (request.call.resendable() && !closed ? resend : failed).add(request);
            }
            inFlight.clear();
            queue.requeue(resend);
            LOG.log(closing ? Level.FINE : Level.INFO, "Herald client: {0}; {1} requests in flight are re-sent after"
                    + " reconnecting, {2} failed", new Object[] {why, resend.size(), failed.size()});
        }
        for (Request request : failed) {
            fail(request, new HeraldException(0, HeraldException.CONNECTION_LOST, "the connection was lost while "
                    + request + " was in flight (" + why + "); the server may or may not have done it", error));
        }
        if (lostLink.socket != null) {
            lostLink.socket.abort();
        }
        reconnectLater(0);
    }

    private void reconnectLater(long atLeastMillis) {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = Math.max(atLeastMillis, backoff.delayMillis(failedAttempts++));
        }
        timers.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Refuses new requests, waits up to {@code closeTimeout} for the queued and in-flight ones to be answered,
     * fails the rest with {@link HeraldException#CLIENT_CLOSED} and closes the connection.
     */
    void close() {
        List<CompletableFuture<Answer>> pending = new ArrayList<>();
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            inFlight.values().forEach(r -> pending.add(r.answer));
        }
        synchronized (lock) {
            queue.list().forEach(r -> pending.add(r.answer));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                    .get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // What is left is failed below.
        }
        List<Request> left;
        Link last;
        synchronized (lock) {
            closed = true;
            left = new ArrayList<>(queue.clear());
            left.addAll(inFlight.values());
            inFlight.clear();
            last = link;
            link = null;
        }
        for (Request request : left) {
            fail(request, new HeraldException(0, HeraldException.CLIENT_CLOSED,
                    "the client was closed before " + request + " was answered"));
        }
        if (last != null && last.socket != null) {
            try {
                last.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((s, e) -> last.socket.abort());
            } catch (RuntimeException e) {
                last.socket.abort();
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
