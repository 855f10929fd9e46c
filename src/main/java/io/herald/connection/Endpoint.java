package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.security.SecuritySettings;
import io.herald.core.Names;
import io.herald.metrics.Metrics;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Ids;
import io.herald.routing.Outbox;
import io.herald.routing.Registry;
import io.herald.security.Guards;
import io.herald.security.HandshakeRefusal;
import io.herald.security.Identity;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint {@code /ws}: one instance per connection. It lets the connection in as a
 * {@link Client} (see {@link Reception}), hands its frames to the client's {@link Inbox}, and sees the client
 * out when the connection ends. Handshake checks happen before the upgrade, in {@link HandshakeFilter}.
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
    Guards guards;

    @Inject
    Reception reception;

    private Client client;
    private Inbox inbox;

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
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        Outbox.Sender sender = (frame, done) -> remote.sendText(frame,
                result -> done.accept(result.isOK() ? null : result.getException()));
        client = new Client(ids.nextClientId(), Outbox.held(sender, new Link(session), settings.sendQueueMaxFrames(),
                settings.sendQueueMaxBytes()));
        client.address(Guards.address(session));
        String uid = identity != null ? identity.uid() : devModeUid(session);
        inbox = reception.open(client, identity, uid, uid == null ? null : since(session),
                parameter(session, "epoch"), null);
    }

    /**
     * Frames of a client already closed are dropped unread: the container may still hand over what it had
     * read.
     */
    @OnMessage
    public void text(String part, boolean last, Session session) {
        if (client == null || client.closed()) {
            return;
        }
        inbox.receive(part, last);
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
        if (client != null) {
            reception.closed(client, reason.getCloseCode().getCode());
        }
    }

    @OnError
    public void error(Session session, Throwable error) {
        // Protocol violations (frame too large, broken pipe) end up here; the container closes the session.
        LOG.log(Level.FINE, () -> "WebSocket error on " + client + ": " + error);
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
