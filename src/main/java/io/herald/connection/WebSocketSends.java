package io.herald.connection;

import io.herald.routing.Outbox;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;

/**
 * How an outbox sends text frames through a WebSocket session's asynchronous remote.
 *
 * <p>On Payara, Tyrus restarts a session's idle timer at every send, whatever its idle timeout (none
 * included): it schedules a task on the server's managed scheduled executor. To capture the thread's
 * context for that task, Payara looks up {@code ThreadContextProvider} services with the thread's context
 * class loader, and for a web application's loader that lookup reads the directory of every jar of the
 * server. A profile of a broadcast on Payara Micro put about 70 % of the server's CPU there. So on Tyrus a
 * send runs with a context class loader that finds nothing (the lookup ends at once; the timer task, which
 * does nothing without an idle timeout, is captured with it), and the completion runs with the loader the
 * send was made with: it may close the connection and so fire the application's events.
 */
public final class WebSocketSends {

    /** Finds only the JDK's own classes and resources. */
    private static final ClassLoader FINDS_NOTHING = new ClassLoader("herald-websocket-send", null) {
    };

    private WebSocketSends() {
    }

    /** A sender for this session's frames ({@link Outbox.Sender}). */
    public static Outbox.Sender of(Session session) {
        return of(session.getAsyncRemote(), onTyrus(session));
    }

    static Outbox.Sender of(RemoteEndpoint.Async remote, boolean tyrus) {
        if (!tyrus) {
            return (frame, done) -> remote.sendText(frame, result -> done.accept(result.isOK() ? null : result.getException()));
        }
        return (frame, done) -> {
            Thread thread = Thread.currentThread();
            ClassLoader sender = thread.getContextClassLoader();
            SendHandler completion = result -> withLoader(sender,
                    () -> done.accept(result.isOK() ? null : result.getException()));
            thread.setContextClassLoader(FINDS_NOTHING);
            try {
                remote.sendText(frame, completion);
            } finally {
                thread.setContextClassLoader(sender);
            }
        };
    }

    static boolean onTyrus(Session session) {
        return session.getClass().getName().startsWith("org.glassfish.tyrus.");
    }

    private static void withLoader(ClassLoader loader, Runnable work) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            work.run();
        } finally {
            thread.setContextClassLoader(before);
        }
    }
}
