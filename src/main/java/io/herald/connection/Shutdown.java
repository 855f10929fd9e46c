package io.herald.connection;

import io.herald.delivery.Deliveries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * On undeploy or server shutdown: stops replays, drains the node (every client is closed with 1012 after
 * the frames queued for it, spread over time, within {@code herald.drain.grace-ms}; see {@link Drain}),
 * then stores the acknowledgements received until then. Not every server closes WebSocket clients itself
 * (Payara ends connections without a close frame). It runs from {@link ShutdownListener}, before the server
 * tears down its WebSocket container and executors; durable pushes still being stored are the journal's
 * to finish when it stops.
 */
@ApplicationScoped
public class Shutdown {

    @Inject
    Drain drain;

    @Inject
    Deliveries deliveries;

    private Thread signalHook;

    /** Drains as soon as the JVM is told to stop, before the server begins to stop the application. */
    void watchForStopSignal(@Observes @Initialized(ApplicationScoped.class) Object started) {
        signalHook = new Thread(() -> {
            deliveries.stopReplays();
            drain.drainOnSignal();
        }, "herald-stop-signal");
        Runtime.getRuntime().addShutdownHook(signalHook);
    }

    /** A fallback for a server that ends the CDI context before the web application's listeners. */
    void closeAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
        closeAll();
    }

    /** Idempotent: the web listener calls it first, the CDI observer after; the second finds no clients. */
    public void closeAll() {
        if (signalHook != null && Thread.currentThread() != signalHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(signalHook); // an undeploy: the hook must not outlive the application
            } catch (IllegalStateException jvmStopping) {
                // the hook has started already
            }
        }
        deliveries.stopReplays();
        drain.drainForShutdown();
        deliveries.flushAcks();
    }
}
