package io.herald.connection;

import io.herald.delivery.Deliveries;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * On undeploy or server shutdown, tells every client to reconnect elsewhere (1001) after sending what
 * was queued for it, and waits a moment for the closes to go out. Not every server does this itself
 * (Payara ends connections without a close frame). It runs from {@link ShutdownListener}, before the
 * server tears down its WebSocket container and executors.
 */
@ApplicationScoped
public class Shutdown {

    private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());
    private static final long GRACE_MILLIS = 3000;

    @Inject
    Registry registry;

    @Inject
    Deliveries deliveries;

    /** A fallback for a server that ends the CDI context before the web application's listeners. */
    void closeAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
        closeAll();
    }

    /** Idempotent: the web listener calls it first, the CDI observer after; the second finds no clients. */
    public void closeAll() {
        deliveries.stopReplays();
        int clients = registry.clientCount();
        if (clients == 0) {
            return;
        }
        LOG.info(() -> "Herald is stopping: closing " + clients + " clients with 1001 so that they reconnect elsewhere");
        for (Client client : registry.allClients()) {
            client.outbox().closeAfterDrain(CloseCodes.GOING_AWAY.reason());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        while (registry.clientCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
