package io.herald.webhook;

import io.herald.metrics.Metrics;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.Initialized;
import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the webhooks did since this node started (GET /api/stats, "webhooks"). {@code pending} is read
 * from the shared outbox, so it counts the events of every node; the others count this node's work.
 */
@ApplicationScoped
public class WebhookStats {

    private final LongAdder delivered = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile long pending;
    private volatile boolean enabled;

    void enabled(boolean on) {
        enabled = on;
    }

    void countDelivered() {
        delivered.increment();
    }

    void countFailedAttempt() {
        failedAttempts.increment();
    }

    void countDead() {
        dead.increment();
    }

    void countDropped() {
        dropped.increment();
    }

    void pending(long count) {
        pending = count;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Events answered with 2xx by the endpoint. */
    public long delivered() {
        return delivered.sum();
    }

    /** Attempts that failed (non-2xx, timeout, connection error); each is retried unless it went dead. */
    public long failedAttempts() {
        return failedAttempts.sum();
    }

    /** Events given up after herald.webhook.max-attempts or herald.webhook.max-age. */
    public long dead() {
        return dead.sum();
    }

    /** Presence and client events dropped because the in-memory buffer was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Events waiting in the outbox (all nodes), as last counted (every few seconds). */
    public long pending() {
        return pending;
    }

    public JsonObject json() {
        return JsonCodec.object()
                .add("enabled", enabled)
                .add("delivered", delivered())
                .add("failedAttempts", failedAttempts())
                .add("dead", dead())
                .add("dropped", dropped())
                .add("pending", pending())
                .build();
    }

    /** The webhooks keep their own counters (GET /api/stats shows them too); the metrics read them. */
    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        metrics.counterFrom("herald_webhook_deliveries", "Webhook events answered 2xx by the endpoint",
                this::delivered);
        metrics.counterFrom("herald_webhook_failed_attempts", "Webhook attempts that failed (non-2xx, timeout,"
                + " connection error); each is retried unless it went dead", this::failedAttempts);
        metrics.counterFrom("herald_webhook_dead",
                "Webhook events given up after herald.webhook.max-attempts or max-age", this::dead);
        metrics.counterFrom("herald_webhook_dropped",
                "Presence and client webhook events dropped because the node's in-memory buffer was full",
                this::dropped);
        metrics.gauge("herald_webhook_pending",
                "Webhook events waiting in the outbox of all nodes (counted every few seconds)", this::pending);
    }
}
