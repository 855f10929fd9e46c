package io.herald.connection;

import io.herald.metrics.Metrics;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.Initialized;
import io.herald.background.Timers;
import io.herald.routing.Ids;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;

/**
 * Draining this node: it stops accepting WebSocket clients ({@link HandshakeFilter} answers 503) and closes
 * the ones it has with 1012 ("service restart"), each after the frames already queued for it, in batches
 * spread over {@code herald.drain.spread-ms} so that they do not all reconnect elsewhere at the same moment.
 * Clients still open when {@code herald.drain.grace-ms} has passed are closed at once.
 *
 * <p>An operator starts a drain before taking the node out of service ({@code POST /api/node/drain}) and may
 * undo it; Herald's own shutdown drains too, and that cannot be undone. {@link #active()} is what a
 * readiness check reads.
 */
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class.getName());
    private static final long TICK_MILLIS = 50;

    @Inject
    DrainSettings settings;

    @Inject
    Registry registry;

    @Inject
    Ids ids;

    @Inject
    Timers timers;

    private volatile boolean active;
    // Guarded by this.
    private boolean stopping;
    private Pass pass;

    /** Whether this node is draining: it refuses new clients and is closing the ones it has. */
    public boolean active() {
        return active;
    }

    /** Whether the node is stopping (a drain that cannot be undone). */
    public synchronized boolean stopping() {
        return stopping;
    }

    /**
     * Starts draining on an operator's request; the closes run in the background. Returns the number of
     * clients it is closing (0 if a drain was already under way: that one goes on).
     */
    public synchronized int start() {
        if (active) {
            return 0;
        }
        active = true;
        pass = new Pass("operator request", List.copyOf(registry.allClients()), settings.spreadMillis());
        if (!pass.begin()) {
            schedule(pass);
        }
        return pass.clients.size();
    }

    /**
     * Accepts clients again; clients not closed yet stay connected. False if the node is stopping, which
     * cannot be undone.
     */
    public synchronized boolean cancel() {
        if (stopping) {
            return false;
        }
        if (pass != null) {
            pass.cancelled = true;
            pass = null;
        }
        if (active) {
            active = false;
            LOG.info(() -> "Node " + ids.node() + " accepts clients again: drain cancelled");
        }
        return true;
    }

    /**
     * Herald is stopping: drains every client that is still connected, on the calling thread, within the
     * grace. The server's own shutdown timeout may cut this short.
     */
    public void drainForShutdown() {
        drainStopping("shutdown", settings.spreadMillis());
    }

    /**
     * The JVM was told to stop (SIGTERM): closes every client at once, on the calling thread. Some servers
     * close WebSocket sessions themselves as soon as they begin to stop (WildFly suspends, and its WebSocket
     * container closes them with 1001), before the application is told; a spread would lose that race,
     * so here the clients' jittered reconnect delay does the spreading.
     */
    public void drainOnSignal() {
        drainStopping("stop signal", 0);
    }

    private void drainStopping(String why, long spreadMillis) {
        Pass shutdown;
        boolean joining;
        synchronized (this) {
            joining = stopping && pass != null;
            if (!joining) {
                if (pass != null) {
                    pass.cancelled = true; // this pass takes over the clients the operator's has not closed yet
                }
                pass = new Pass(why, List.copyOf(registry.allClients()), spreadMillis);
            }
            active = true;
            stopping = true;
            shutdown = pass;
        }
        if (shutdown.clients.isEmpty()) {
            return; // an undeploy with nobody connected
        }
        // The second caller of a stop (the application stopping after the signal) waits for the first's pass.
        boolean over = joining ? shutdown.over() : shutdown.begin();
        while (!over) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            over = joining ? shutdown.over() : shutdown.step();
        }
    }

    /** A client that got past the handshake check just before the drain started: close it too. */
    void opened(Client client) {
        if (active) {
            client.outbox().closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        }
    }

    /**
     * The next step of an operator's drain, a tick from now. A step that throws is logged by the timers and
     * the pass goes on at the next tick (past the grace it closes whatever is left). Nothing is scheduled
     * once the application stops: its shutdown drain takes over.
     */
    private void schedule(Pass background) {
        timers.after("a step of the drain", TICK_MILLIS, () -> {
            boolean over = false;
            try {
                over = background.step();
            } finally {
                if (!over) {
                    schedule(background);
                }
            }
        });
    }

    /** One drain over a fixed set of clients: closes them batch by batch, then waits for them to be gone. */
    private final class Pass {
        final String why;
        final List<Client> clients;
        final long spreadMillis;
        final long graceMillis = settings.graceMillis();
        long startedNanos;
        int next;
        boolean over;
        volatile boolean cancelled;

        Pass(String why, List<Client> clients, long spreadMillis) {
            this.why = why;
            this.clients = clients;
            this.spreadMillis = spreadMillis;
        }

        /** Logs the start and closes the first batch; true if that was all. */
        boolean begin() {
            startedNanos = System.nanoTime();
            LOG.info(() -> "Node " + ids.node() + " is draining (" + why + "): closing " + clients.size()
                    + " clients with 1012 over " + spreadMillis + " ms, within " + graceMillis + " ms");
            return step();
        }

        synchronized boolean over() {
            return over || cancelled;
        }

        /** Closes the next batch, or checks whether the closed ones are gone; true when the pass is over. */
        synchronized boolean step() {
            if (cancelled || over) {
                return true;
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            boolean late = elapsed >= graceMillis;
            if (next < clients.size() && !late) {
                // Evenly over the spread, by the clock rather than by tick count: a late tick closes what is
                // due by now. 10,000 clients over 3 s: about 170 every 50 ms.
                int n = clients.size();
                long due = spreadMillis <= TICK_MILLIS ? n
                        : Math.min(n, (n * (elapsed + TICK_MILLIS) + spreadMillis - 1) / spreadMillis);
                for (; next < due; next++) {
                    clients.get(next).outbox().closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
                }
                return false;
            }
            int open = 0;
            for (Client client : clients) {
                if (!client.closed()) {
                    open++;
                }
            }
            if (open > 0 && !late) {
                return false;
            }
            for (Client client : clients) {
                if (!client.closed()) {
                    // Past the grace: whatever it still had queued is dropped; it resumes from its position.
                    client.outbox().closeNow(CloseCodes.SERVICE_RESTART.reason());
                }
            }
            over = true;
            int left = open;
            LOG.info(() -> "Node " + ids.node() + " drained (" + why + "): " + (clients.size() - left)
                    + " clients closed, " + left + " left open past the grace and cut, in " + elapsed + " ms");
            return true;
        }
    }

    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        metrics.gauge("herald_draining",
                "1 while this node drains (refuses new clients, closes its own with 1012), else 0",
                () -> active() ? 1 : 0);
    }
}
