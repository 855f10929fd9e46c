package io.herald.it;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Dashboard;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GET /api/metrics as Prometheus scrapes it: each push, connection and refusal moves exactly its own
 * series; the health probes answer without a key; the shipped Grafana dashboard queries only metrics the
 * server exports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsAndHealthIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The durable backlog gauge reads the store every few seconds. */
    private static final Duration STORE_WAIT = Duration.ofSeconds(30);
    private static final String READER = "reader-key";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-metrics.war", Deployments.config("herald.api.keys",
                String.join(",", Herald.KEY, READER + ":query")));
    }

    @BeforeEach
    void setUp() {
        // Clients of an earlier test may still be closing on the server.
        eventually(WAIT, () -> assertEquals(0.0, scrape().get("herald_connections")));
    }

    /** One scrape: every sample by its series ({@code name{labels}}), as Prometheus would store it. */
    private Map<String, Double> scrape() {
        return samples(herald.api(READER).get("/metrics").expect(200).body());
    }

    private static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.valueOf(line.substring(space + 1)));
        }
        return samples;
    }

    private static double value(Map<String, Double> samples, String series) {
        Double value = samples.get(series);
        if (value == null) {
            throw new AssertionError("no series " + series + " in " + new TreeSet<>(samples.keySet()));
        }
        return value;
    }

    private static String pushes(String kind, boolean durable) {
        return "herald_pushes_total{durable=\"" + durable + "\",kind=\"" + kind + "\"}";
    }

    private static String out(String kind, boolean durable) {
        return "herald_messages_out_total{durable=\"" + durable + "\",kind=\"" + kind + "\"}";
    }

    private static String latencyCount(boolean durable) {
        return "herald_push_latency_seconds_count{durable=\"" + durable + "\"}";
    }

    /** Asserts that each series moved by its expected amount from {@code before}, and the other listed ones not at all. */
    private static void assertMoved(Map<String, Double> before, Map<String, Double> after, Map<String, Double> expected) {
        expected.forEach((series, delta) ->
                assertEquals(delta, value(after, series) - value(before, series), series));
    }

    @Test
    void theScrapeIsPrometheusTextAndNeedsAQueryKey() {
        Api.Response scraped = herald.api(READER).get("/metrics").expect(200);
        String type = scraped.contentType().replace(" ", "");
        assertTrue(type.startsWith("text/plain;") && type.contains(";version=0.0.4"), scraped.contentType());
        assertTrue(scraped.body().contains("# TYPE herald_push_latency_seconds histogram"), scraped.body());
        api.withKey(null).get("/metrics").expectError(401, "unauthorized");
        api.withKey("wrong-key").get("/metrics").expectError(401, "unauthorized");
    }

    @Test
    void eachPushMovesItsKindByItsRecipients() {
        String uid = Names.unique("metered");
        String group = Names.unique("room");
        WsClient alice = herald.connect(uid);
        WsClient other = herald.connect(null);
        api.joinGroup(group, alice.clientId());
        api.joinGroup(group, other.clientId());
        eventually(WAIT, () -> assertEquals(2.0, scrape().get("herald_connections")));
        Map<String, Double> before = scrape();

        api.sendData("/clients/" + alice.clientId() + "/messages", obj("to", "client"));
        alice.awaitData(WAIT);
        api.post("/uids/" + uid + "/messages", obj("data", "ephemeral", "durable", false)).expect(202);
        alice.awaitData(WAIT);
        api.sendData("/groups/" + group + "/messages", obj("to", "group"));
        alice.awaitData(WAIT);
        other.awaitData(WAIT);
        api.sendData("/broadcast", obj("to", "everyone"));
        alice.awaitData(WAIT);
        other.awaitData(WAIT);
        api.post("/uids/" + uid + "/messages", obj("data", "stored")).expect(202);
        alice.awaitData(WAIT);
        other.sendMessage(obj("hello", "server"));

        eventually(WAIT, () -> {
            Map<String, Double> after = scrape();
            assertMoved(before, after, Map.ofEntries(
                    Map.entry(pushes("client", false), 1.0),
                    Map.entry(pushes("uid", false), 1.0),
                    Map.entry(pushes("group", false), 1.0),
                    Map.entry(pushes("broadcast", false), 1.0),
                    Map.entry(pushes("uid", true), 1.0),
                    Map.entry(pushes("mixed", false), 0.0),
                    Map.entry(out("client", false), 1.0),
                    Map.entry(out("uid", false), 1.0),
                    Map.entry(out("group", false), 2.0),
                    Map.entry(out("broadcast", false), 2.0),
                    Map.entry(latencyCount(false), 4.0),
                    Map.entry(latencyCount(true), 1.0),
                    Map.entry("herald_messages_in_total", 1.0),
                    Map.entry("herald_send_failures_total", 0.0)));
            // Live, or replayed if it was stored while the new client's stream was still being read.
            assertEquals(1.0, value(after, out("uid", true)) + value(after, "herald_messages_replayed_total")
                    - value(before, out("uid", true)) - value(before, "herald_messages_replayed_total"));
            assertTrue(value(after, "herald_frames_sent_total") - value(before, "herald_frames_sent_total") >= 7);
            assertTrue(value(after, "herald_push_latency_seconds_sum{durable=\"true\"}")
                    > value(before, "herald_push_latency_seconds_sum{durable=\"true\"}"));
        });
        // GET /api/stats reads the same counters.
        JsonObject stats = api.stats();
        Map<String, Double> now = scrape();
        assertEquals(value(now, "herald_messages_in_total"), stats.getJsonNumber("messagesIn").doubleValue());
        assertEquals(value(now, "herald_send_failures_total"), stats.getJsonNumber("sendFailures").doubleValue());
    }

    @Test
    void theConnectionsGaugeFollowsConnectsAndCloses() {
        String group = Names.unique("gauged");
        WsClient first = herald.connect(Names.unique("gauge"));
        WsClient second = herald.connect(null);
        api.joinGroup(group, second.clientId());
        eventually(WAIT, () -> {
            Map<String, Double> now = scrape();
            assertEquals(2.0, value(now, "herald_connections"));
            assertEquals(1.0, value(now, "herald_bound_uids"));
            assertEquals(1.0, value(now, "herald_groups"));
        });
        first.close();
        eventually(WAIT, () -> {
            Map<String, Double> now = scrape();
            assertEquals(1.0, value(now, "herald_connections"));
            assertEquals(0.0, value(now, "herald_bound_uids"));
        });
        second.close();
        eventually(WAIT, () -> {
            Map<String, Double> now = scrape();
            assertEquals(0.0, value(now, "herald_connections"));
            assertEquals(0.0, value(now, "herald_groups"));
        });
    }

    @Test
    void aRefusedHandshakeIsCountedWithItsReason() {
        Map<String, Double> before = scrape();
        assertEquals(400, herald.handshake("since=yesterday").status());
        assertEquals(400, herald.handshake("uid=" + Api.seg("not a uid")).status());
        assertEquals(400, herald.handshake("since=-1").status());
        Map<String, Double> after = scrape();
        assertMoved(before, after, Map.of(
                "herald_handshakes_refused_total{reason=\"bad_since\"}", 2.0,
                "herald_handshakes_refused_total{reason=\"bad_uid\"}", 1.0,
                "herald_handshakes_refused_total{reason=\"token_required\"}", 0.0));
        assertEquals(0.0, value(after, "herald_connections"));
    }

    @Test
    void theDurableBacklogAndReplaysAreCounted() {
        // The backlog is the whole store's, so other tests' leftovers are in it: only its change counts.
        double baseline = freshBacklog();
        String uid = Names.unique("offline");
        for (int i = 1; i <= 3; i++) {
            api.post("/uids/" + uid + "/messages", obj("data", i)).expect(202);
        }
        eventually(STORE_WAIT, () ->
                assertEquals(baseline + 3, value(scrape(), "herald_durable_unacknowledged_messages")));

        Map<String, Double> before = scrape();
        WsClient client = herald.connect(uid);
        for (int i = 1; i <= 3; i++) {
            client.awaitData(WAIT);
        }
        client.sendJson(obj("type", "ack", "seq", 3));
        eventually(STORE_WAIT, () -> {
            Map<String, Double> after = scrape();
            assertMoved(before, after, Map.of("herald_messages_replayed_total", 3.0, out("uid", true), 0.0));
            assertEquals(baseline, value(after, "herald_durable_unacknowledged_messages"));
        });
    }

    /**
     * The backlog gauge as read after this call began. A scrape returns the value of the last background
     * read, and starts a new read if that one is 5 s old: a scrape now and another 6 s later make sure a
     * read started after now, and a third scrape a moment later returns it.
     */
    private double freshBacklog() {
        scrape();
        pause(6000);
        scrape();
        pause(2000);
        double backlog = value(scrape(), "herald_durable_unacknowledged_messages");
        if (Double.isNaN(backlog)) {
            throw new AssertionError("the durable backlog could not be read from the store");
        }
        return backlog;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theHealthProbesAnswerWithoutAKey() {
        for (String probe : List.of("/health/live", "/health/ready")) {
            for (String key : new String[]{null, "wrong-key"}) {
                Api.Response response = api.withKey(key).get(probe).expect(200);
                assertTrue(response.contentType().startsWith("application/json"), response.contentType());
                assertEquals("UP", response.object().getString("status"), response.body());
            }
        }
        JsonObject ready = api.withKey(null).get("/health/ready").object();
        Map<String, String> checks = new HashMap<>();
        for (JsonValue check : ready.getJsonArray("checks")) {
            checks.put(check.asJsonObject().getString("name"), check.asJsonObject().getString("status"));
        }
        assertEquals(Map.of("database", "UP", "cluster", "UP", "accepting-clients", "UP"), checks);
        assertEquals(0, api.withKey(null).get("/health/live").object().getJsonArray("checks").size());

        // Only those two: anything else next to them still needs a key.
        api.withKey(null).get("/health").expectError(401, "unauthorized");
        api.withKey(null).get("/health/livez").expectError(401, "unauthorized");
        api.withKey(null).send("POST", "/health/ready", "{}").expectError(401, "unauthorized");
        api.withKey(null).get("/stats").expectError(401, "unauthorized");
    }

    @Test
    void theDashboardQueriesOnlyExportedMetrics() throws IOException {
        String dir = System.getProperty("server.config.dir");
        assertTrue(dir != null && !dir.isBlank(), "system property server.config.dir is not set");
        Set<String> exported = Dashboard.exported(herald.api(READER).get("/metrics").expect(200).body());
        Set<String> used = Dashboard.metricNames(Dashboard.file(Path.of(dir)));
        assertTrue(used.size() >= 15, "the dashboard queries " + used);
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "queried by the dashboard but not exported; exported: " + exported);
    }
}
