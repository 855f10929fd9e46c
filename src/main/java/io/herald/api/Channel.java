package io.herald.api;

import io.herald.background.FailureLog;
import io.herald.connection.Closer;
import io.herald.connection.WebSocketSends;
import io.herald.core.HeraldException;
import io.herald.core.JsonCodec;
import io.herald.core.TextParts;
import io.herald.core.Utf8;
import io.herald.routing.CloseCodes;
import io.herald.routing.Outbox;
import io.herald.security.ApiSettings;
import io.herald.security.Scope;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.persistence.PersistenceException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The backend channel {@code /api/ws}: a WebSocket on which a backend sends the REST API's requests as frames,
 * many in flight at once, and gets each answer with its request's id (PROTOCOL.md, "Backend channel"). A
 * push costs a frame instead of an HTTP request. Each request runs the resource method its REST twin runs
 * ({@link Operations}), under the same scope check, so the answers and errors are the same. The API key was
 * checked before the upgrade ({@link ChannelFilter}).
 *
 * <p>A frame is counted against {@code herald.api.max-body-bytes} as its parts arrive, before it is parsed
 * (over: 1009). Requests beyond {@code herald.api.channel.max-in-flight} unanswered ones are answered 429
 * without being done. Answers wait in a bounded {@link Outbox}: a backend that stops reading them is closed
 * (4001) rather than held in memory.
 */
@ServerEndpoint(Channel.PATH)
public class Channel {

    static final String PATH = "/api/ws";

    private static final Logger LOG = Logger.getLogger(Channel.class.getName());
    private static final FailureLog FAILURES = new FailureLog(LOG, Level.WARNING, "a backend channel request");
    private static final int MAX_ID_CHARS = 64;

    @Inject
    Operations operations;

    @Inject
    Channels channels;

    @Inject
    ApiSettings settings;

    @Inject
    Closer closer;

    private Session session;
    private ChannelKey key;
    private Outbox outbox;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos;
    private final TextParts parts = new TextParts();

    @OnOpen
    public void open(Session session) {
        this.session = session;
        if (!(session.getUserPrincipal() instanceof ChannelKey admitted)) {
            // Only on a server that did not carry the filter's verdict over to the session.
            closer.close(session, CloseCodes.UNAUTHORIZED.reason());
            return;
        }
        key = admitted;
        int max = settings.channelMaxInFlight();
        outbox = new Outbox(WebSocketSends.of(session), new Link(), 2 * max + 16, 4L * settings.maxBodyBytes());
        channels.opened(this);
        LOG.info(() -> "Backend channel opened from " + key.address() + " (scopes "
                + key.scopes().stream().map(Scope::label).sorted().collect(Collectors.joining(", ")) + "); "
                + channels.count() + " open");
    }

    /**
     * A part of a request frame. Parts are counted as they arrive, so that Herald, not the container, bounds
     * what a frame may make it hold.
     */
    @OnMessage
    public void text(String part, boolean last, Session session) {
        if (outbox == null || outbox.closing()) {
            return;
        }
        lastHeardNanos = System.nanoTime();
        String frame = parts.add(part, Utf8.length(part), last, settings.maxBodyBytes(), this::tooBig);
        if (frame != null) {
            frame(frame);
        }
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) {
        if (outbox != null) {
            outbox.closeNow(CloseCodes.BINARY_NOT_SUPPORTED.reason());
        }
    }

    @OnMessage
    public void pong(PongMessage pong) {
        lastHeardNanos = System.nanoTime();
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (outbox == null) {
            return;
        }
        outbox.discard();
        channels.closed(this);
        LOG.info(() -> "Backend channel from " + key.address() + " closed (" + reason.getCloseCode().getCode()
                + (inFlight.get() > 0 ? "; " + inFlight.get() + " requests were still being done, their answers"
                + " are lost: a client re-sends them, durable pushes with their idempotency keys" : "") + ")");
    }

    @OnError
    public void error(Session session, Throwable error) {
        // Broken connections end up here; the container closes the session.
        LOG.log(Level.FINE, () -> "backend channel error: " + error);
    }

    /** Refuse requests from now on, and close (1012) once the accepted ones are answered. */
    void drain() {
        draining = true;
        if (inFlight.get() == 0 && outbox != null) {
            outbox.closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        }
    }

    void heartbeat(long now, long interval, long timeout) {
        long silent = now - lastHeardNanos;
        if (silent >= timeout) {
            LOG.info(() -> "Backend channel from " + key.address() + " closed: silent for "
                    + (silent / 1_000_000) + " ms (heartbeat timeout)");
            outbox.closeNow(CloseCodes.HEARTBEAT_TIMEOUT.reason());
        } else if (silent >= interval && now - lastPingNanos >= interval) {
            lastPingNanos = now;
            try {
                session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "pinging a backend channel failed", e); // the timeout closes it if it is gone
            }
        }
    }

    private void tooBig() {
        LOG.info(() -> "Backend channel from " + key.address() + " closed: a frame over " + settings.maxBodyBytes()
                + " bytes (herald.api.max-body-bytes)");
        outbox.closeNow(CloseCodes.TOO_BIG.reason());
    }

    /** One whole frame: a request, or an array of them. Answers ready at once leave together, in one frame. */
    private void frame(String text) {
        JsonValue parsed;
        try {
            parsed = JsonCodec.parseInput(text);
        } catch (JsonException e) {
            outbox.offer(answer(null, Errors.response(HeraldException.badRequest("bad_json",
                    "the frame is not acceptable JSON: " + e.getMessage()))));
            return;
        }
        if (parsed.getValueType() == JsonValue.ValueType.OBJECT) {
            String answer = request(parsed.asJsonObject());
            if (answer != null) {
                outbox.offer(answer);
            }
            return;
        }
        if (parsed.getValueType() != JsonValue.ValueType.ARRAY || parsed.asJsonArray().isEmpty()) {
            outbox.offer(answer(null, Errors.response(HeraldException.badRequest("bad_request",
                    "a frame is a request {\"id\", \"method\", \"path\", \"body\"?} or a non-empty array of them"))));
            return;
        }
        StringBuilder ready = null;
        int count = 0;
        for (JsonValue element : parsed.asJsonArray()) {
            String answer = element.getValueType() == JsonValue.ValueType.OBJECT ? request(element.asJsonObject())
                    : answer(null, Errors.response(HeraldException.badRequest("bad_request",
                    "each request in a frame is an object {\"id\", \"method\", \"path\", \"body\"?}")));
            if (answer != null) {
                ready = (ready == null ? new StringBuilder(answer.length() * 4).append('[') : ready.append(','))
                        .append(answer);
                count++;
            }
        }
        if (ready != null) {
            outbox.offer(count == 1 ? ready.substring(1) : ready.append(']').toString());
        }
    }

    /** Runs one request; its answer if it is ready now, or null if it will be sent when it is. */
    private String request(JsonObject request) {
        String id = id(request.get("id"));
        if (id == null) {
            return answer(null, Errors.response(HeraldException.badRequest("bad_request",
                    "\"id\" is required: a string of 1 to " + MAX_ID_CHARS + " characters, or an integer")));
        }
        if (draining) {
            return answer(id, Errors.response(new HeraldException(503, "draining",
                    "this node is draining; send it on a channel to another node")));
        }
        if (inFlight.incrementAndGet() > settings.channelMaxInFlight()) {
            inFlight.decrementAndGet();
            return answer(id, Errors.response(new HeraldException(429, "too_many_in_flight", "more than "
                    + settings.channelMaxInFlight() + " requests unanswered on this channel"
                    + " (herald.api.channel.max-in-flight); wait for answers")));
        }
        Object result;
        try {
            result = perform(request);
        } catch (RuntimeException e) {
            answered();
            return answer(id, failure(e));
        }
        if (result instanceof CompletionStage<?> pending) {
            var future = pending.toCompletableFuture();
            if (!future.isDone()) {
                pending.whenComplete((response, failure) -> {
                    outbox.offer(answer(id, failure == null ? (Response) response : failure(failure)));
                    answered();
                });
                return null;
            }
            result = future.join();
        }
        answered();
        return answer(id, result);
    }

    private Object perform(JsonObject request) {
        if (!(request.get("method") instanceof JsonString method) || !(request.get("path") instanceof JsonString path)) {
            throw HeraldException.badRequest("bad_request", "\"method\" and \"path\" (strings) are required");
        }
        Scope needed = Scope.required(method.getString(), pathOnly(path.getString()));
        if (!key.scopes().contains(needed)) {
            KeyRefusal refusal = KeyRefusal.forbidden(needed);
            throw new HeraldException(refusal.status(), refusal.code(), refusal.message());
        }
        JsonValue body = request.get("body");
        if (body != null && body.getValueType() != JsonValue.ValueType.NULL
                && body.getValueType() != JsonValue.ValueType.OBJECT) {
            throw HeraldException.badRequest("bad_json", "\"body\" must be a JSON object");
        }
        JsonValue idempotencyKey = request.get("idempotencyKey");
        if (idempotencyKey != null && idempotencyKey.getValueType() != JsonValue.ValueType.NULL
                && !(idempotencyKey instanceof JsonString)) {
            throw HeraldException.badRequest("bad_idempotency_key", "\"idempotencyKey\" must be a string");
        }
        return operations.perform(method.getString(), Operations.Target.parse(path.getString()),
                body instanceof JsonObject object ? object : null,
                idempotencyKey instanceof JsonString text ? text.getString() : null);
    }

    private void answered() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            outbox.closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        }
    }

    private static String pathOnly(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** The request's id as JSON text, or null if it has none that can be echoed. */
    private static String id(JsonValue id) {
        if (id instanceof JsonString text) {
            int length = text.getString().length();
            return length >= 1 && length <= MAX_ID_CHARS ? id.toString() : null;
        }
        if (id instanceof JsonNumber number && number.isIntegral() && number.toString().length() <= 19) {
            return number.toString();
        }
        return null;
    }

    /** What REST's exception mappers would answer. */
    private static Response failure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof HeraldException refused) {
            return Errors.response(refused);
        }
        if (cause instanceof PersistenceException unavailable) {
            return new StoreFailureMapper().toResponse(unavailable);
        }
        if (cause instanceof WebApplicationException web) {
            return new WebExceptionMapper().toResponse(web);
        }
        FAILURES.failed(cause, "it was answered 500 server_error");
        return Errors.response(500, "server_error", "the request failed on the server");
    }

    /** {@code {"id":…,"status":…,"body":…}}; no body for an answer without one (204). */
    private static String answer(String id, Object result) {
        int status = 200;
        Object entity = result;
        if (result instanceof Response response) {
            status = response.getStatus();
            entity = response.getEntity();
        }
        String body = entity == null ? null : entity.toString(); // JSON text, or a JsonValue that prints as JSON
        StringBuilder json = new StringBuilder(40 + (body == null ? 0 : body.length()))
                .append("{\"id\":").append(id).append(",\"status\":").append(status);
        if (body != null) {
            json.append(",\"body\":").append(body);
        }
        return json.append('}').toString();
    }

    /** How the outbox of answers reaches back to the connection. */
    private final class Link implements Outbox.Connection {

        @Override
        public void close(CloseReason reason) {
            closer.close(session, reason);
        }

        @Override
        public void sent() {
            // answers are not counted as messages to clients
        }

        @Override
        public void failed(Throwable cause) {
            LOG.log(Level.FINE, () -> "sending an answer on a backend channel failed: " + cause);
            closer.close(session, CloseCodes.SERVER_ERROR.reason());
        }

        @Override
        public void overflowed(int dropped) {
            LOG.warning(() -> "Backend channel from " + key.address() + " closed (4001): it did not read its answers;"
                    + " " + dropped + " were waiting");
        }
    }
}
