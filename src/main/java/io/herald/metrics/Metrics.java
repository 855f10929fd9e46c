package io.herald.metrics;

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
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * This node's metrics, in one Prometheus registry of its own (not the library's global default, so that
 * a redeployment starts afresh): what the connections did, what was pushed and delivered; and the gauges
 * and counters that each package keeps itself and registers here at start ({@link #gauge},
 * {@link #counterFrom}), read when scraped. README, "Operations: metrics and health", lists every metric.
 *
 * <p>Counters live here and nowhere else; {@code GET /api/stats} reads the same ones. Labelled children
 * are resolved once, so counting allocates nothing. Code on a per-frame path takes its data point once
 * (for example when a connection opens) and counts on it directly, without a call through this bean.
 */
@ApplicationScoped
public class Metrics {


    /**
     * Latency buckets in seconds: an ephemeral push takes well under a millisecond on an idle node, a
     * durable one a group commit (milliseconds on PostgreSQL, longer under load).
     */
    private static final double[] LATENCY_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};


    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();

    private CounterDataPoint messagesIn;
    private CounterDataPoint framesSent;
    private CounterDataPoint replayed;
    private CounterDataPoint sendFailures;
    private final CounterDataPoint[] replayReads = new CounterDataPoint[2];
    private CounterDataPoint slowConsumerCloses;
    private CounterDataPoint heartbeatCloses;
    private final CounterDataPoint[][] pushes = new CounterDataPoint[Kind.values().length][2];
    private final CounterDataPoint[][] delivered = new CounterDataPoint[Kind.values().length][2];
    private final DistributionDataPoint[] latency = new DistributionDataPoint[2];
    private Counter refusals;
    private final Map<String, CounterDataPoint> refusalsByReason = new ConcurrentHashMap<>();


    @PostConstruct
    void start() {
        messagesIn = counter("herald_messages_in", "Application messages received from clients");
        framesSent = counter("herald_frames_sent",
                "Frames of any type written to client sockets (messages, replays, welcomes, pings, errors; each of a joined array)");
        replayed = counter("herald_messages_replayed",
                "Durable messages sent again from the store: replays on connect or resume, and catch-ups");
        Counter reads = counter("herald_replay_reads",
                "Reads of a page of durable messages from the store for replays and catch-ups, by stream: a "
                        + "group's pages are read once for the members that catch up together", "stream");
        replayReads[0] = reads.labelValues(Kind.UID.label());
        replayReads[1] = reads.labelValues(Kind.GROUP.label());
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

    /** Pages read from the store for replays, of uid streams or group streams. */
    public CounterDataPoint replayReads(boolean group) {
        return replayReads[group ? 1 : 0];
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

    /** A refusal reason that shows, at 0, before it first happens. */
    public void refusalReason(String reason) {
        refusalsByReason.computeIfAbsent(reason, r -> refusals.labelValues(r));
    }

    /** A refused WebSocket handshake, by its refusal code. */
    public void refused(String reason) {
        // Reasons come from Herald's code, never from the client, so their number stays small.
        refusalsByReason.computeIfAbsent(reason, r -> refusals.labelValues(r)).inc();
    }

    // ---- exposition

    public String contentType() {
        return text.getContentType();
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4). */
    public void write(OutputStream out) throws IOException {
        text.write(out, prometheus.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(prometheus);
    }

    /**
     * A counter whose value another part of Herald keeps and this reads when scraped. Each package
     * registers its own, at start (see README, "Operations: metrics and health").
     */
    public void counterFrom(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsLong()))
                .register(prometheus);
    }

    /** A gauge read when scraped; each package registers its own, at start. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(prometheus);
    }

    private static String flag(int durable) {
        return durable == 1 ? "true" : "false";
    }
}
