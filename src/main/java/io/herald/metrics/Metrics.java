package io.herald.metrics;

import io.herald.connection.Client;
import io.herald.connection.Drain;
import io.herald.delivery.Journal;
import io.herald.delivery.Streams;
import io.herald.routing.Registry;
import io.herald.webhook.WebhookStats;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's metrics, in one Prometheus registry of its own (not the library's global default, so that
 * a redeployment starts afresh): what the connections did, what was pushed and delivered, and gauges read
 * when scraped. README, "Operations: metrics and health", lists every metric.
 *
 * <p>Counters live here and nowhere else; {@code GET /api/stats} reads the same ones. Labelled children
 * are resolved once, so counting allocates nothing. Code on a per-frame path takes its data point once
 * (for example when a connection opens) and counts on it directly, without a call through this bean.
 */
@ApplicationScoped
public class Metrics {

    private static final Logger LOG = Logger.getLogger(Metrics.class.getName());

    /** The store is read at most this often; scrapes in between get the last value. */
    private static final long STORE_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Latency buckets in seconds: an ephemeral push takes well under a millisecond on an idle node, a
     * durable one a group commit (milliseconds on PostgreSQL, longer under load).
     */
    private static final double[] LATENCY_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** The reasons HandshakeFilter and Admission give, known up front so that each shows as 0 before it happens. */
    private static final String[] REFUSAL_REASONS = {"too_many_connections", "origin_not_allowed", "dev_mode_off",
            "bad_uid", "bad_since", "conflicting_identity", "token_required", "token_invalid", "token_expired",
            "token_refused", "token_keys_unavailable", "too_many_groups", "too_many_clients", "draining"};

    @Inject
    Registry registry;

    @Inject
    Streams streams;

    @Inject
    Journal journal;

    @Inject
    WebhookStats webhooks;

    @Inject
    Drain drain;

    @Resource
    ManagedExecutorService executor;

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();

    private CounterDataPoint messagesIn;
    private CounterDataPoint framesSent;
    private CounterDataPoint replayed;
    private CounterDataPoint sendFailures;
    private CounterDataPoint slowConsumerCloses;
    private CounterDataPoint heartbeatCloses;
    private final CounterDataPoint[][] pushes = new CounterDataPoint[Kind.values().length][2];
    private final CounterDataPoint[][] delivered = new CounterDataPoint[Kind.values().length][2];
    private final DistributionDataPoint[] latency = new DistributionDataPoint[2];
    private Counter refusals;
    private final Map<String, CounterDataPoint> refusalsByReason = new ConcurrentHashMap<>();

    private volatile double unacknowledged = Double.NaN;
    private volatile long storeReadAt = System.nanoTime() - STORE_REFRESH_NANOS;
    private final AtomicBoolean storeReading = new AtomicBoolean();

    @PostConstruct
    void start() {
        messagesIn = counter("herald_messages_in", "Application messages received from clients");
        framesSent = counter("herald_frames_sent",
                "Frames of any type written to client sockets (messages, replays, welcomes, pings, errors)");
        replayed = counter("herald_messages_replayed",
                "Durable messages sent again from the store: replays on connect or resume, and catch-ups");
        sendFailures = counter("herald_send_failures",
                "Frames that failed to send or were dropped with a connection that failed or overflowed");
        slowConsumerCloses = counter("herald_slow_consumer_closes",
                "Clients closed (4001) because more than herald.send-queue.max-frames frames waited for them");
        heartbeatCloses = counter("herald_heartbeat_closes",
                "Clients closed (4000) after herald.heartbeat.timeout-seconds of silence");

        Counter pushed = counter("herald_pushes",
                "Pushes accepted by this node through the REST API or the CDI Gateway, one per call",
                "kind", "durable");
        Counter out = counter("herald_messages_out",
                "Messages queued for a client of this node, one per recipient; durable ones live, replays apart",
                "kind", "durable");
        for (Kind kind : Kind.values()) {
            for (int durable = 0; durable < 2; durable++) {
                pushes[kind.ordinal()][durable] = pushed.labelValues(kind.label(), flag(durable));
                delivered[kind.ordinal()][durable] = out.labelValues(kind.label(), flag(durable));
            }
        }
        Histogram latencies = Histogram.builder()
                .name("herald_push_latency_seconds")
                .help("From a push call entering the Gateway to its frames being handed to this node's client"
                        + " connections (ephemeral), or to the commit that lets the REST API answer 202 (durable)")
                .unit(Unit.SECONDS)
                .labelNames("durable")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS)
                .withoutExemplars()
                .register(prometheus);
        latency[0] = latencies.labelValues("false");
        latency[1] = latencies.labelValues("true");

        refusals = counter("herald_handshakes_refused", "WebSocket handshakes refused before the upgrade, by reason",
                "reason");
        for (String reason : REFUSAL_REASONS) {
            refusalsByReason.put(reason, refusals.labelValues(reason));
        }

        gauge("herald_connections", "Clients connected to this node", registry::clientCount);
        gauge("herald_bound_uids", "Distinct uids with clients on this node", registry::uidCount);
        gauge("herald_groups", "Groups with members on this node", registry::groupCount);
        gauge("herald_outbox_frames", "Frames waiting in the send queues of this node's clients", this::queuedFrames);
        gauge("herald_durable_pending_pushes", "Durable pushes waiting in this node's queue to be stored",
                journal::pending);
        gauge("herald_durable_unacknowledged_messages", "Durable messages stored and not yet acknowledged, summed"
                + " over every uid's stream (the whole store, so every node reports the same value; read every few"
                + " seconds)", this::unacknowledged);
        gauge("herald_draining", "1 while this node drains (refuses new clients, closes its own with 1012), else 0",
                () -> drain.active() ? 1 : 0);

        // The webhooks keep their own counters (GET /api/stats shows them too); these read them.
        counterFrom("herald_webhook_deliveries", "Webhook events answered 2xx by the endpoint", webhooks::delivered);
        counterFrom("herald_webhook_failed_attempts",
                "Webhook attempts that failed (non-2xx, timeout, connection error); each is retried unless it went dead",
                webhooks::failedAttempts);
        counterFrom("herald_webhook_dead", "Webhook events given up after herald.webhook.max-attempts or max-age",
                webhooks::dead);
        counterFrom("herald_webhook_dropped",
                "Presence and client webhook events dropped because the node's in-memory buffer was full",
                webhooks::dropped);
        gauge("herald_webhook_pending", "Webhook events waiting in the outbox of all nodes (counted every few seconds)",
                webhooks::pending);
    }

    // ---- counting

    public CounterDataPoint messagesIn() {
        return messagesIn;
    }

    public CounterDataPoint framesSent() {
        return framesSent;
    }

    public CounterDataPoint replayed() {
        return replayed;
    }

    public CounterDataPoint sendFailures() {
        return sendFailures;
    }

    public CounterDataPoint slowConsumerCloses() {
        return slowConsumerCloses;
    }

    public CounterDataPoint heartbeatCloses() {
        return heartbeatCloses;
    }

    /** Messages queued for clients of this node. */
    public CounterDataPoint delivered(Kind kind, boolean durable) {
        return delivered[kind.ordinal()][durable ? 1 : 0];
    }

    /** A push accepted: counts it, and observes its latency since {@code startNanos} (a {@link System#nanoTime()}). */
    public void pushed(Kind kind, boolean durable, long startNanos) {
        pushes[kind.ordinal()][durable ? 1 : 0].inc();
        latency[durable ? 1 : 0].observe((System.nanoTime() - startNanos) / 1e9);
    }

    /** A push accepted whose latency means nothing (stored in the caller's transaction, delivered after it). */
    public void pushed(Kind kind, boolean durable) {
        pushes[kind.ordinal()][durable ? 1 : 0].inc();
    }

    /** A refused WebSocket handshake, by its refusal code. */
    public void refused(String reason) {
        // Reasons come from Herald's code, never from the client, so their number stays small.
        refusalsByReason.computeIfAbsent(reason, r -> refusals.labelValues(r)).inc();
    }

    /** Refused handshakes so far by reason, for the log's summary. */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> counts = new TreeMap<>();
        refusalsByReason.forEach((reason, count) -> counts.put(reason, count.getLongValue()));
        return counts;
    }

    // ---- exposition

    public String contentType() {
        return text.getContentType();
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4). */
    public void write(OutputStream out) throws IOException {
        text.write(out, prometheus.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    // ---- gauges read on scrape

    private double queuedFrames() {
        long frames = 0;
        for (Client client : registry.allClients()) {
            frames += client.outbox().depth();
        }
        return frames;
    }

    /**
     * The last value read from the store, refreshed in the background when it is older than a few
     * seconds: a scrape never waits for the database, and a scrape storm reads it once. NaN until the
     * first read, and after a read that failed.
     */
    private double unacknowledged() {
        if (System.nanoTime() - storeReadAt >= STORE_REFRESH_NANOS && storeReading.compareAndSet(false, true)) {
            try {
                executor.execute(this::readStore);
            } catch (RejectedExecutionException e) {
                storeReading.set(false); // stopping
            }
        }
        return unacknowledged;
    }

    private void readStore() {
        try {
            unacknowledged = streams.unacknowledged();
        } catch (Throwable e) {
            // The top of this background read: whatever it meets, the gauge says "unknown" and the next scrape
            // tries again. The readiness check reports the database.
            unacknowledged = Double.NaN;
            LOG.log(Level.FINE, "reading the durable backlog for the metrics failed", e);
        } finally {
            storeReadAt = System.nanoTime();
            storeReading.set(false);
        }
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(prometheus);
    }

    private void counterFrom(String name, String help, java.util.function.LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsLong()))
                .register(prometheus);
    }

    private void gauge(String name, String help, java.util.function.DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(prometheus);
    }

    private static String flag(int durable) {
        return durable == 1 ? "true" : "false";
    }
}
