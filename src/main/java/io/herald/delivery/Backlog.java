package io.herald.delivery;

import io.herald.metrics.Metrics;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The durable backlog for the metrics: messages stored and not yet acknowledged, summed over every uid.
 * It is the whole store's, so every node reports the same value.
 */
@ApplicationScoped
public class Backlog {

    private static final Logger LOG = Logger.getLogger(Backlog.class.getName());

    /** The store is read at most this often; scrapes in between get the last value. */
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Inject
    Streams streams;

    @Resource
    ManagedExecutorService executor;

    private volatile double unacknowledged = Double.NaN;
    private volatile long readAt = System.nanoTime() - REFRESH_NANOS;
    private final AtomicBoolean reading = new AtomicBoolean();

    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        metrics.gauge("herald_durable_unacknowledged_messages", "Durable messages stored and not yet acknowledged,"
                + " summed over every uid's stream (the whole store, so every node reports the same value; read"
                + " every few seconds)", this::unacknowledged);
    }

    /**
     * The last value read from the store, refreshed in the background when it is older than a few
     * seconds: a scrape never waits for the database, and a scrape storm reads it once. NaN until the
     * first read, and after a read that failed.
     */
    double unacknowledged() {
        if (System.nanoTime() - readAt >= REFRESH_NANOS && reading.compareAndSet(false, true)) {
            try {
                executor.execute(this::read);
            } catch (RejectedExecutionException e) {
                reading.set(false); // stopping
            }
        }
        return unacknowledged;
    }

    private void read() {
        try {
            unacknowledged = streams.unacknowledged();
        } catch (Throwable e) {
            // The top of this background read: whatever it meets, the gauge says "unknown" and the next scrape
            // tries again. The readiness check reports the database.
            unacknowledged = Double.NaN;
            LOG.log(Level.FINE, "reading the durable backlog for the metrics failed", e);
        } finally {
            readAt = System.nanoTime();
            reading.set(false);
        }
    }
}
