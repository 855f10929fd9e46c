package io.herald.connection;

import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint {@code /ws}: one instance per connection, kept small (see {@link WebSockets}). It
 * lets the connection in as a client, hands its frames to the client's {@link Inbox}, and sees the client
 * out when the connection ends. Handshake checks happen before the upgrade, in {@link HandshakeFilter}.
 */
@ServerEndpoint("/ws")
public class Endpoint {

    private static final Logger LOG = Logger.getLogger(Endpoint.class.getName());

    @Inject
    WebSockets sockets;

    private Inbox inbox;

    @OnOpen
    public void open(Session session) {
        inbox = sockets.open(session);
    }

    /**
     * Frames of a client already closed are dropped unread: the container may still hand over what it had
     * read.
     */
    @OnMessage
    public void text(String part, boolean last, Session session) {
        if (inbox == null || inbox.client().closed()) {
            return;
        }
        inbox.receive(part, last);
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) {
        if (inbox == null) {
            return;
        }
        inbox.client().heard();
        sockets.binary(session);
    }

    @OnMessage
    public void pong(PongMessage pong) {
        if (inbox != null) {
            inbox.client().heard();
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (inbox != null) {
            sockets.closed(inbox, reason);
        }
    }

    @OnError
    public void error(Session session, Throwable error) {
        // Protocol violations (frame too large, broken pipe) end up here; the container closes the session.
        LOG.log(Level.FINE, () -> "WebSocket error on " + (inbox == null ? "a refused connection" : inbox.client()) + ": " + error);
    }
}
