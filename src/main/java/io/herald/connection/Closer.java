package io.herald.connection;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes connections off the caller's thread: writing a close frame to a client whose socket is full
 * can block, and the caller may be a fan-out loop or the heartbeat sweep.
 */
@ApplicationScoped
public class Closer {

    private static final Logger LOG = Logger.getLogger(Closer.class.getName());

    @Resource
    ManagedExecutorService executor;

    public void close(Session session, CloseReason reason) {
        try {
            executor.execute(() -> closeNow(session, reason));
        } catch (RejectedExecutionException e) {
            closeNow(session, reason); // the application is stopping and its executor with it
        }
    }

    private static void closeNow(Session session, CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            // The peer is gone or the socket broke; the container still ends the session.
            LOG.log(Level.FINE, "closing a WebSocket session failed", e);
        }
    }
}
