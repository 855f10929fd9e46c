package io.herald.metrics;

import io.herald.routing.Client;
import io.herald.routing.Outbox;
import io.herald.connection.Drain;
import io.herald.delivery.Backlog;
import io.herald.security.Refusal;
import io.herald.delivery.Journal;
import io.herald.webhook.WebhookStats;
import io.herald.routing.Registry;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics as exposed: names, labels, and counters moving by what was counted. */
class MetricsTest {

    private final Registry registry = new Registry();
    private Metrics metrics;

    @BeforeEach
    void setUp() {
        metrics = standalone(registry);
    }

    /**
     * Metrics with every package's gauges and counters registered, as at start, outside a container: the
     * registry given, and no store to read (its gauge stays NaN).
     */
    static Metrics standalone(Registry registry) {
        Metrics metrics = new Metrics();
        metrics.start();
        registry.registerMetrics(null, metrics);
        new Journal().registerMetrics(null, metrics);
        new Drain().registerMetrics(null, metrics);
        new WebhookStats().registerMetrics(null, metrics);
        Backlog backlog = new Backlog();
        try {
            Field executor = Backlog.class.getDeclaredField("executor");
            executor.setAccessible(true);
            executor.set(backlog, Proxy.newProxyInstance(MetricsTest.class.getClassLoader(),
                    new Class<?>[]{ManagedExecutorService.class}, (self, method, args) -> {
                        throw new RejectedExecutionException("no store in a unit test");
                    }));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        backlog.registerMetrics(null, metrics);
        Refusal.registerMetrics(metrics);
        return metrics;
    }

    static String exposition(Metrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String sample(String series) throws IOException {
        for (String line : exposition(metrics).split("\n")) {
            if (line.startsWith(series + " ")) {
                return line.substring(series.length() + 1);
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + exposition(metrics));
    }

    @Test
    void countersStartAtZeroAndMoveByWhatIsCounted() throws IOException {
        assertEquals("0.0", sample("herald_pushes_total{durable=\"false\",kind=\"group\"}"));
        metrics.pushed(Kind.GROUP, false, System.nanoTime());
        metrics.pushed(Kind.UID, true);
        metrics.delivered(Kind.BROADCAST, false).inc(3);
        metrics.messagesIn().inc();
        metrics.framesSent().inc(2);
        assertEquals("1.0", sample("herald_pushes_total{durable=\"false\",kind=\"group\"}"));
        assertEquals("1.0", sample("herald_pushes_total{durable=\"true\",kind=\"uid\"}"));
        assertEquals("3.0", sample("herald_messages_out_total{durable=\"false\",kind=\"broadcast\"}"));
        assertEquals("1.0", sample("herald_messages_in_total"));
        assertEquals("2.0", sample("herald_frames_sent_total"));
        // Only the push with a start time is a latency observation.
        assertEquals("1", sample("herald_push_latency_seconds_count{durable=\"false\"}"));
        assertEquals("0", sample("herald_push_latency_seconds_count{durable=\"true\"}"));
    }

    @Test
    void refusalsAreCountedByReasonKnownOrNew() throws IOException {
        assertEquals("0.0", sample("herald_handshakes_refused_total{reason=\"token_required\"}"));
        metrics.refused("token_required");
        metrics.refused("token_required");
        metrics.refused("draining");
        assertEquals("2.0", sample("herald_handshakes_refused_total{reason=\"token_required\"}"));
        assertEquals("1.0", sample("herald_handshakes_refused_total{reason=\"draining\"}"));
    }

    @Test
    void gaugesReadTheRegistryWhenScraped() throws IOException {
        Client client = new Client("c1", new Outbox(null, null, 10, 1 << 20));
        registry.add(client);
        registry.bind(client, "alice");
        registry.join(client, "room");
        assertEquals("1.0", sample("herald_connections"));
        assertEquals("1.0", sample("herald_bound_uids"));
        assertEquals("1.0", sample("herald_groups"));
        assertEquals("0.0", sample("herald_outbox_frames"));
        assertEquals("0.0", sample("herald_durable_pending_pushes"));
        assertEquals("NaN", sample("herald_durable_unacknowledged_messages"), "unknown until the store was read");
    }

    @Test
    void theTextFormatIsPrometheus004() throws IOException {
        assertTrue(metrics.contentType().startsWith("text/plain; version=0.0.4"), metrics.contentType());
        String text = exposition(metrics);
        assertTrue(text.contains("# TYPE herald_push_latency_seconds histogram"), text);
        assertTrue(text.contains("herald_push_latency_seconds_bucket{durable=\"true\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("# TYPE herald_connections gauge"), text);
    }
}
