package io.herald.client;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * A backend's connection to Herald: the REST API's operations over one WebSocket (the backend channel,
 * {@code <context>/api/ws}), each returning a {@link CompletionStage}.
 *
 * <pre>{@code
 * HeraldClient herald = HeraldClient.builder().uri("http://localhost:8080/herald/").apiKey(key).build();
 * herald.pushToUid("alice", "{\"text\":\"hi\"}").thenAccept(receipt -> log(receipt.seq()));
 * }</pre>
 *
 * <p>Every method may be called from any thread and never blocks on the network (only {@link #close()}
 * waits). Requests are queued while the client is disconnected, and sent coalesced into frames when it is
 * connected. A stage fails with {@link HeraldException}: the server's error ({@code status}, {@code code}), or
 * the client's own ({@code status} 0: {@link QueueFullException} at once when the queue is full, a timeout, a
 * lost connection for a request that is not re-sent, a closed client). Stages complete on the builder's
 * {@link Builder#executor executor}: keep callbacks short or hand work on.
 *
 * <p>Requests in flight when the connection is lost: reads and durable pushes are re-sent after the
 * reconnect (a durable push carries an idempotency key, the client's own when none was given, so the server
 * answers a repeat with the original receipt and stores nothing twice); everything else fails with
 * {@link HeraldException#CONNECTION_LOST}, since it may or may not have been done, and doing it twice (an
 * ephemeral message shown twice) is not the client's call to make.
 */
public final class HeraldClient implements AutoCloseable {

    private final Channel channel;
    private final Calls calls = new Calls();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService ownExecutor;

    private HeraldClient(Settings settings) {
        this.timers = new ScheduledThreadPoolExecutor(1, daemon("herald-client-timer"));
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        Executor executor = settings.executor();
        this.ownExecutor = executor == null ? Executors.newSingleThreadExecutor(daemon("herald-client-answers")) : null;
        HttpClient http = settings.httpClient() != null ? settings.httpClient()
                : HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
        this.channel = new Channel(settings, http, timers, executor != null ? executor : ownExecutor);
        channel.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- pushes

    /** A message to one connected client: {@code POST /clients/{id}/messages}. */
    public CompletionStage<Receipt> pushToClient(String clientId, JsonValue data) {
        return receipt(calls.pushToClient(clientId, data));
    }

    public CompletionStage<Receipt> pushToClient(String clientId, String json) {
        return withJson(json, data -> pushToClient(clientId, data));
    }

    /** A durable message to a uid, answered once stored, with its seq: {@code POST /uids/{uid}/messages}. */
    public CompletionStage<Receipt> pushToUid(String uid, JsonValue data) {
        return pushToUid(uid, data, Push.durable());
    }

    public CompletionStage<Receipt> pushToUid(String uid, String json) {
        return withJson(json, data -> pushToUid(uid, data));
    }

    /** A message to a uid, durable or ephemeral ({@link Push#ephemeral()}: its clients online now only). */
    public CompletionStage<Receipt> pushToUid(String uid, JsonValue data, Push push) {
        return receipt(calls.pushToUid(uid, data, push));
    }

    public CompletionStage<Receipt> pushToUid(String uid, String json, Push push) {
        return withJson(json, data -> pushToUid(uid, data, push));
    }

    /** A message to a group's clients, but those excluded: {@code POST /groups/{group}/messages}. */
    public CompletionStage<Receipt> pushToGroup(String group, JsonValue data, String... excludeClientIds) {
        return receipt(calls.pushToGroup(group, data, List.of(excludeClientIds)));
    }

    public CompletionStage<Receipt> pushToGroup(String group, String json, String... excludeClientIds) {
        return withJson(json, data -> pushToGroup(group, data, excludeClientIds));
    }

    /** A message to every client, but those excluded: {@code POST /broadcast}. */
    public CompletionStage<Receipt> broadcast(JsonValue data, String... excludeClientIds) {
        return receipt(calls.broadcast(data, List.of(excludeClientIds)));
    }

    public CompletionStage<Receipt> broadcast(String json, String... excludeClientIds) {
        return withJson(json, data -> broadcast(data, excludeClientIds));
    }

    /** A durable message to clients, uids and groups at once: {@code POST /messages}; uids' seqs in {@code seqs}. */
    public CompletionStage<Receipt> push(Recipients to, JsonValue data) {
        return push(to, data, Push.durable(), List.of());
    }

    public CompletionStage<Receipt> push(Recipients to, String json) {
        return withJson(json, data -> push(to, data));
    }

    public CompletionStage<Receipt> push(Recipients to, JsonValue data, Push push, List<String> excludeClientIds) {
        return receipt(calls.push(to, data, push, excludeClientIds));
    }

    /**
     * Many messages, each for one uid, in one request, stored in order: {@code POST /messages/batch}. The
     * receipts are in the messages' order. Each message without an idempotency key gets one from the client.
     */
    public CompletionStage<List<Receipt>> pushBatch(List<UidMessage> messages) {
        return pushBatch(messages, true);
    }

    public CompletionStage<List<Receipt>> pushBatch(List<UidMessage> messages, boolean durable) {
        return ok(calls.pushBatch(messages, durable), answer -> {
            List<Receipt> receipts = new ArrayList<>();
            for (JsonValue entry : answer.object().getJsonArray("messages")) {
                receipts.add(Receipt.of(entry.asJsonObject()));
            }
            return List.copyOf(receipts);
        });
    }

    // ---------------------------------------------------------------- clients, uids, groups

    public CompletionStage<Void> bindUid(String clientId, String uid) {
        return done(calls.bindUid(clientId, uid));
    }

    public CompletionStage<Void> unbindUid(String clientId) {
        return done(calls.unbindUid(clientId));
    }

    public CompletionStage<Void> joinGroup(String group, String clientId) {
        return done(calls.joinGroup(group, clientId));
    }

    public CompletionStage<Void> leaveGroup(String group, String clientId) {
        return done(calls.leaveGroup(group, clientId));
    }

    /** Every client leaves the group; the clients stay connected: {@code DELETE /groups/{group}}. */
    public CompletionStage<Void> ungroup(String group) {
        return done(calls.ungroup(group));
    }

    /** Replaces the client's session: {@code PUT /clients/{id}/session}. */
    public CompletionStage<Void> setSession(String clientId, JsonObject session) {
        return done(calls.setSession(clientId, session));
    }

    /** Merges top-level keys into the session; a key with {@code null} is removed: {@code PATCH}. */
    public CompletionStage<Void> mergeSession(String clientId, JsonObject changes) {
        return done(calls.mergeSession(clientId, changes));
    }

    public CompletionStage<JsonObject> session(String clientId) {
        return query(calls.get("/clients/" + Calls.seg(clientId) + "/session"));
    }

    /** Closes the client (close code 4100): {@code DELETE /clients/{id}}. */
    public CompletionStage<Void> closeClient(String clientId) {
        return done(calls.closeClient(clientId, null));
    }

    /** Closes the client after a last message. */
    public CompletionStage<Void> closeClient(String clientId, JsonValue lastData) {
        return done(calls.closeClient(clientId, Objects.requireNonNull(lastData)));
    }

    /** Closes every client of the uid; the stage holds how many were closed. */
    public CompletionStage<Integer> closeUid(String uid) {
        return ok(calls.closeUid(uid), answer -> answer.object().getInt("closed"));
    }

    // ---------------------------------------------------------------- presence and queries

    /** {@code GET /uids/{uid}}: online, clientIds, and the durable stream's epoch, seq, acked, unread. */
    public CompletionStage<JsonObject> uid(String uid) {
        return query(calls.get("/uids/" + Calls.seg(uid)));
    }

    /** {@code GET /clients/{id}}: uid, groups, session, cursor; fails with 404 if the client is offline. */
    public CompletionStage<JsonObject> client(String clientId) {
        return query(calls.get("/clients/" + Calls.seg(clientId)));
    }

    public CompletionStage<JsonObject> group(String group) {
        return query(calls.get("/groups/" + Calls.seg(group)));
    }

    /** A page of group names after {@code after} ({@code null}: from the start); {@code limit} null: the server's. */
    public CompletionStage<JsonObject> groups(String after, Integer limit) {
        return query(calls.get("/groups" + Calls.query("after", after, "limit", limit)));
    }

    public CompletionStage<JsonObject> uids(String after, Integer limit) {
        return query(calls.get("/uids" + Calls.query("after", after, "limit", limit)));
    }

    /** A uid's stored messages after {@code since}, oldest first: {@code GET /uids/{uid}/messages}. */
    public CompletionStage<JsonObject> history(String uid, long since, int limit) {
        return query(calls.get("/uids/" + Calls.seg(uid) + "/messages" + Calls.query("since", since, "limit", limit)));
    }

    public CompletionStage<JsonObject> stats() {
        return query(calls.get("/stats"));
    }

    /**
     * Any REST call, answered as the REST API would (errors included, as answers, not exceptions). {@code path}
     * is below {@code /api}, encoded, with its query string; {@code body} null for none. Only {@code GET}s are
     * re-sent after a lost connection; give {@code idempotencyKey} for a durable push (null: none).
     */
    public CompletionStage<Answer> request(String method, String path, JsonObject body, String idempotencyKey) {
        boolean resendable = method.equals("GET") || (idempotencyKey != null && method.equals("POST"));
        return channel.submit(new Call(method, path, body, idempotencyKey, resendable)).thenApply(a -> a);
    }

    public CompletionStage<Answer> request(String method, String path, JsonObject body) {
        return request(method, path, body, null);
    }

    /**
     * Stops taking requests, waits up to {@code closeTimeout} for those queued and in flight to be answered,
     * fails the rest with {@link HeraldException#CLIENT_CLOSED}, and closes the connection.
     */
    @Override
    public void close() {
        channel.close();
        timers.shutdown();
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    // ---------------------------------------------------------------- answers to results

    private CompletionStage<Receipt> receipt(Call call) {
        return ok(call, answer -> Receipt.of(answer.object()));
    }

    private CompletionStage<JsonObject> query(Call call) {
        return ok(call, Answer::object);
    }

    private CompletionStage<Void> done(Call call) {
        return ok(call, answer -> null);
    }

    private <T> CompletionStage<T> ok(Call call, Function<Answer, T> result) {
        return channel.submit(call).thenApply(answer -> result.apply(answer.orThrow()));
    }

    /** Parses the text first, so that bad JSON fails here and never reaches a frame shared with other requests. */
    private static <T> CompletionStage<T> withJson(String json, Function<JsonValue, CompletionStage<T>> then) {
        JsonValue data;
        try (JsonReader reader = JsonSupport.PROVIDER.createReader(new StringReader(json))) {
            data = reader.readValue();
        } catch (JsonException | IllegalStateException e) {
            return CompletableFuture.failedFuture(new HeraldException(0, HeraldException.BAD_JSON,
                    "the data is not JSON text: " + e.getMessage(), e));
        }
        return then.apply(data);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Settings of a client; {@link #uri} and {@link #apiKey} are required, the rest have the defaults shown. */
    public static final class Builder {

        private URI uri;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int maxQueuedRequests = 10_000;
        private long maxQueuedBytes = 16L << 20;
        private int maxInFlight = 1000;
        private int maxFrameBytes = 1 << 20;
        private int maxRequestsPerFrame = 200;
        private Duration backoffBase = Duration.ofMillis(500);
        private Duration backoffCap = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(30);
        private Executor executor;
        private HttpClient httpClient;

        private Builder() {
        }

        /** The channel ({@code ws://host:8080/herald/api/ws}) or the deployment's base URL ({@code http://host:8080/herald/}). */
        public Builder uri(String uri) {
            return uri(URI.create(uri));
        }

        public Builder uri(URI uri) {
            this.uri = uri;
            return this;
        }

        /** One of the server's {@code herald.api.keys}; sent as {@code Authorization: Bearer}. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** How long one connection attempt may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long a request may wait for its answer, queued time included (default 30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** How long {@link #close()} waits for outstanding requests (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** Requests waiting to be sent, at most (default 10,000); beyond, {@link QueueFullException} at once. */
        public Builder maxQueuedRequests(int max) {
            this.maxQueuedRequests = max;
            return this;
        }

        /** Bytes of requests waiting to be sent, at most (default 16 MiB). */
        public Builder maxQueuedBytes(long max) {
            this.maxQueuedBytes = max;
            return this;
        }

        /** Requests sent and not answered yet, at most (default 1000, the server's {@code herald.api.channel.max-in-flight}). */
        public Builder maxInFlight(int max) {
            this.maxInFlight = max;
            return this;
        }

        /** The largest frame sent (default 1 MiB, the server's {@code herald.api.max-body-bytes}); a larger request fails. */
        public Builder maxFrameBytes(int max) {
            this.maxFrameBytes = max;
            return this;
        }

        /** Requests coalesced into one frame, at most (default 200). */
        public Builder maxRequestsPerFrame(int max) {
            this.maxRequestsPerFrame = max;
            return this;
        }

        /** Reconnect backoff: attempt n waits a random time below min(cap, base·2ⁿ) (default 500 ms, 30 s). */
        public Builder reconnectBackoff(Duration base, Duration cap) {
            this.backoffBase = base;
            this.backoffCap = cap;
            return this;
        }

        /**
         * After this much silence the client pings the server, and after twice this much it gives the connection
         * up and reconnects, re-sending what can be re-sent (default 30 s; {@code Duration.ZERO}: never).
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        /** Where stages complete (default: one daemon thread of the client's own). */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** The HTTP client to open the WebSocket with (e.g. for an SSLContext or a proxy); default: a new one. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /** Checks the settings and starts connecting; requests may be made at once (they wait in the queue). */
        public HeraldClient build() {
            return new HeraldClient(new Settings(uri, apiKey, connectTimeout, requestTimeout, closeTimeout,
                    maxQueuedRequests, maxQueuedBytes, maxInFlight, maxFrameBytes, maxRequestsPerFrame, backoffBase,
                    backoffCap, pingInterval, executor, httpClient));
        }
    }
}
