package io.herald.connection;

import io.herald.core.Names;
import io.herald.metrics.Metrics;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.ConnectionSettings;
import io.herald.routing.Ids;
import io.herald.routing.Outbox;
import io.herald.routing.Registry;
import io.herald.security.Guards;
import io.herald.security.HandshakeRefusal;
import io.herald.security.Identity;
import io.herald.security.SecuritySettings;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the WebSocket door ({@link Endpoint}) does with a connection: lets it in as a {@link Client} through
 * the {@link Reception}, and links the client's outbox back to the session. The container makes an
 * {@link Endpoint} per connection and injects it; everything it needs lives here, once, so that a connect
 * costs one injection and each connection holds one reference to it.
 */
@ApplicationScoped
public class WebSockets {

    private static final Logger LOG = Logger.getLogger(WebSockets.class.getName());

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

    /** The new connection's client and its inbox; null if it was refused (and is being closed). */
    Inbox open(Session session) {
        Identity identity;
        try {
            identity = guards.identity(session);
        } catch (HandshakeRefusal refusal) {
            // Only where the server did not carry the handshake filter's verdict over (see Guards.identity).
            closer.close(session, CloseCodes.UNAUTHORIZED.reason());
            return null;
        }
        Outbox.Sender sender = WebSocketSends.of(session);
        Link link = new Link(session);
        Client client = new Client(ids.nextClientId(), Outbox.held(sender, link, settings.sendQueueMaxFrames(),
                settings.sendQueueMaxBytes(), framing(session)));
        link.client = client;
        client.address(Guards.address(session));
        String uid = identity != null ? identity.uid() : devModeUid(session);
        return reception.open(client, identity, uid, uid == null ? null : since(session),
                parameter(session, "epoch"), null);
    }

    void closed(Inbox inbox, CloseReason reason) {
        reception.closed(inbox.client(), reason.getCloseCode().getCode());
    }

    /** Herald's frames are text: a binary one ends the connection. */
    void binary(Session session) {
        closer.close(session, CloseCodes.BINARY_NOT_SUPPORTED.reason());
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

    /** {@code ?batch=1}: the client takes arrays of frames; the handshake filter has refused other values. */
    private static Outbox.Framing framing(Session session) {
        return HandshakeFilter.BATCH_ON.equals(parameter(session, HandshakeFilter.BATCH))
                ? Outbox.Framing.JOINED : Outbox.Framing.SINGLE;
    }

    private static String parameter(Session session, String name) {
        List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** How a client's outbox reaches back to its connection. */
    private final class Link implements Outbox.Connection {

        private final Session session;
        private final CounterDataPoint framesSent = metrics.framesSent(); // taken once: counted per frame
        private Client client;

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
