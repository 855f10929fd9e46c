package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.security.SecuritySettings;
import io.herald.delivery.Deliveries;
import io.herald.gateway.ClientClosed;
import io.herald.gateway.ClientConnected;
import io.herald.gateway.ClientMessage;
import io.herald.core.JsonCodec;
import io.herald.metrics.Metrics;
import io.herald.routing.Ids;
import io.herald.core.Names;
import io.herald.routing.Registry;
import io.herald.security.Guard;
import io.herald.security.Guards;
import io.herald.security.HandshakeRefusal;
import io.herald.security.Identity;
import io.herald.security.Relay;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.herald.routing.Client;
import io.herald.routing.Outbox;
import io.herald.routing.Frames;
import io.herald.routing.CloseCodes;

/**
 * The WebSocket endpoint {@code /ws}: one instance per connection. It registers the connection as a
 * {@link Client}, sends the welcome, turns the client's frames into actions or CDI events, and removes the
 * client when the connection ends. Handshake checks happen before the upgrade, in {@link HandshakeFilter}.
 */
@ServerEndpoint("/ws")
public class Endpoint {

    private static final Logger LOG = Logger.getLogger(Endpoint.class.getName());

    @Inject
    ConnectionSettings settings;

    @Inject
    SecuritySettings security;

    @Inject
    Registry registry;

    @Inject
    Ids ids;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Inject
    Closer closer;

    @Inject
    Deliveries deliveries;

    @Inject
    Event<ClientConnected> connected;

    @Inject
    Event<ClientMessage> messages;

    @Inject
    Event<ClientClosed> closed;

    @Inject
    Guards guards;

    @Inject
    Relay relay;

    @Inject
    Drain drain;

    private Client client;
    private Guard guard;
    private StringBuilder partial;
    private int partialBytes;
    private boolean skipping;

    @OnOpen
    public void open(Session session) {
        Identity identity;
        try {
            identity = guards.identity(session);
        } catch (HandshakeRefusal refusal) {
            // Only where the server did not carry the handshake filter's verdict over (see Guards.identity).
            closer.close(session, CloseCodes.UNAUTHORIZED.reason());
            return;
        }
        client = new Client(ids.nextClientId(),
                Outbox.held(session.getAsyncRemote(), new Link(session), settings.sendQueueMaxFrames(),
                        settings.sendQueueMaxBytes()));
        client.address(Guards.address(session));
        String uid = identity != null ? identity.uid() : devModeUid(session);

        // The welcome goes first into the held outbox, so it precedes anything sent once the client is
        // visible; sending starts only once the client is registered, so its clientId works at once.
        client.send(Frames.welcome(client.id(), uid, settings.heartbeatIntervalMillis(),
                settings.heartbeatTimeoutMillis()));
        registry.add(client);
        if (uid != null) {
            registry.bind(client, uid);
            deliveries.attach(client, uid, since(session), parameter(session, "epoch"));
        }
        guard = guards.opened(client, identity);
        client.outbox().release();
        drain.opened(client);
        connected.fireAsync(new ClientConnected(client.id(), client.uid(), client.session()));
    }

    /**
     * Text frames arrive in parts so that Herald, not the container, enforces {@code herald.frame.max-bytes}:
     * a container may buffer a whole message before any limit set on an open session applies. Each part is
     * counted against the client's rate (frames and bytes) before anything else is done with it; a frame
     * over the rate is dropped part by part without being kept. Frames of a client already closed are
     * dropped unread: the container may still hand over what it had read.
     */
    @OnMessage
    public void text(String part, boolean last, Session session) {
        if (client == null || client.closed()) {
            return;
        }
        client.heard();
        try {
            receive(part, last);
        } catch (RuntimeException e) {
            // A bug in handling one frame must not end the connection's reading or reach the container.
            log.frameFailed(client, e);
            partial = null;
            skipping = !last;
            client.send(Frames.error("internal_error", "the frame could not be handled"));
        }
    }

    private void receive(String part, boolean last) {
        boolean first = partial == null && !skipping;
        if (skipping) {
            skipping = !last; // the rest of a frame that was dropped
            return;
        }
        int bytes = utf8Length(part);
        if (!(first ? guard.admit(bytes) : guard.admitMore(bytes))) {
            partial = null;
            skipping = !last;
            return;
        }
        int max = settings.frameMaxBytes();
        if (first && last) {
            if (bytes > max) {
                tooBig();
            } else {
                frame(part);
            }
            return;
        }
        if (first) {
            partial = new StringBuilder();
            partialBytes = 0;
        }
        partialBytes += bytes;
        if (partialBytes > max) {
            partial = null;
            skipping = !last;
            tooBig();
            return;
        }
        partial.append(part);
        if (last) {
            String text = partial.toString();
            partial = null;
            frame(text);
        }
    }

    private void frame(String text) {
        JsonValue frame;
        try {
            frame = JsonCodec.parseInput(text);
        } catch (JsonException e) {
            client.send(Frames.error("bad_json", "the frame is not valid JSON: " + e.getMessage()));
            return;
        }
        if (frame.getValueType() != JsonValue.ValueType.OBJECT) {
            client.send(Frames.error("bad_json", "a frame is a JSON object"));
            return;
        }
        JsonObject object = frame.asJsonObject();
        if (!(object.get("type") instanceof JsonString type)) {
            client.send(Frames.error("bad_frame", "a frame needs a string \"type\""));
            return;
        }
        switch (type.getString()) {
            case "ping" -> client.send(Frames.PONG);
            case "pong" -> guard.refund(); // a sign of life is all it is
            case "message" -> {
                if (guard.maySend()) {
                    applicationMessage(object);
                }
            }
            case "send" -> {
                if (guard.maySend()) {
                    relay.send(client, object);
                }
            }
            case "ack" -> {
                guard.refund();
                acknowledge(object);
            }
            case "resume" -> resume(object);
            default -> client.send(Frames.error("unknown_type", "unknown frame type: " + abbreviate(type.getString())));
        }
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) {
        if (client == null) {
            return;
        }
        client.heard();
        closer.close(session, CloseCodes.BINARY_NOT_SUPPORTED.reason());
    }

    @OnMessage
    public void pong(PongMessage pong) {
        if (client != null) {
            client.heard();
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (client == null) {
            return;
        }
        client.outbox().discard();
        deliveries.detach(client);
        registry.remove(client);
        closed.fireAsync(new ClientClosed(client.id(), client.uid(), client.session(),
                reason.getCloseCode().getCode()));
    }

    @OnError
    public void error(Session session, Throwable error) {
        // Protocol violations (frame too large, broken pipe) end up here; the container closes the session.
        LOG.log(Level.FINE, () -> "WebSocket error on " + client + ": " + error);
    }

    private void applicationMessage(JsonObject frame) {
        JsonValue data = frame.get("data");
        if (data == null) {
            client.send(Frames.error("bad_frame", "a message frame needs \"data\""));
            return;
        }
        metrics.messagesIn().inc();
        messages.fireAsync(new ClientMessage(client.id(), client.uid(), client.session(), data));
    }

    /** {@code {"type":"ack","seq":N}}: the client has processed its stream up to N. */
    private void acknowledge(JsonObject frame) {
        if (!(frame.get("seq") instanceof JsonNumber seq) || !seq.isIntegral()) {
            client.send(Frames.error("bad_frame", "an ack frame needs a whole number \"seq\""));
        } else if (!deliveries.attached(client)) {
            client.send(Frames.error("not_bound", "only a client bound to a uid has a stream to acknowledge"));
        } else if (!deliveries.acknowledge(client, seq.longValue())) {
            client.send(Frames.error("bad_ack", "seq " + seq + " was not sent to this client"));
        }
    }

    /** {@code {"type":"resume","since":N,"epoch":"…"}}: replay the stream after N, then go live. */
    private void resume(JsonObject frame) {
        String uid = client.uid();
        JsonValue since = frame.get("since");
        JsonValue epoch = frame.get("epoch");
        if (uid == null) {
            client.send(Frames.error("not_bound", "only a client bound to a uid has a stream to resume"));
        } else if (since != null && !(since instanceof JsonNumber number && number.isIntegral()
                && number.longValue() >= 0)) {
            client.send(Frames.error("bad_frame", "\"since\" must be a whole number of 0 or more"));
        } else if (epoch != null && !(epoch instanceof JsonString) && epoch != JsonValue.NULL) {
            client.send(Frames.error("bad_frame", "\"epoch\" must be a string"));
        } else {
            deliveries.attach(client, uid, since == null ? null : ((JsonNumber) since).longValue(),
                    epoch instanceof JsonString text ? text.getString() : null);
        }
    }

    /** The handshake filter has already refused a uid outside development mode, or a malformed one. */
    private String devModeUid(Session session) {
        String uid = parameter(session, "uid");
        return uid == null || !security.devMode() || !Names.validName(uid) ? null : uid;
    }

    /** {@code ?since=N}; the handshake filter has already refused a malformed one. */
    private static Long since(Session session) {
        String since = parameter(session, "since");
        return since == null ? null : Long.valueOf(since);
    }

    private static String parameter(Session session, String name) {
        List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private void tooBig() {
        registry.remove(client);
        client.outbox().closeNow(CloseCodes.TOO_BIG.reason());
    }

    /** UTF-8 length, counted without encoding: a frame's limit is in bytes on the wire. */
    private static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isSurrogate(c)) {
                bytes += 2; // a surrogate pair is 4 bytes, even when split across parts
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** How the client's outbox reaches back to the connection. */
    private final class Link implements Outbox.Connection {

        private final Session session;
        private final CounterDataPoint framesSent = metrics.framesSent(); // taken once: counted per frame

        Link(Session session) {
            this.session = session;
        }

        @Override
        public void close(CloseReason reason) {
            closer.close(session, reason);
        }

        @Override
        public void sent() {
            framesSent.inc();
        }

        @Override
        public void failed(Throwable cause) {
            metrics.sendFailures().inc();
            registry.remove(client);
            closer.close(session, CloseCodes.SERVER_ERROR.reason());
            LOG.log(Level.FINE, () -> "sending to " + client + " failed: " + cause);
        }

        @Override
        public void overflowed(int dropped) {
            metrics.slowConsumerCloses().inc();
            metrics.sendFailures().inc(dropped);
            registry.remove(client);
            log.slowConsumer(client, settings.sendQueueMaxFrames(), settings.sendQueueMaxBytes());
        }
    }
}
