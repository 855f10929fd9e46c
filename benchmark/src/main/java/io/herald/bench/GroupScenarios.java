package io.herald.bench;

import io.herald.client.HeraldClient;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static io.herald.bench.Fleet.number;
import static io.herald.bench.Scenarios.log;

/**
 * Durable groups (issue 18), Herald only: the same group sends to 1,000 online members ephemeral and durable
 * (one stored row per message, whatever the group's size), and a group reconnect storm (every client back
 * at once, each resuming its group from its position). Group joins go through the backend channel, as a
 * backend would make them.
 */
final class GroupScenarios {

    private static final AtomicInteger IDS = new AtomicInteger(1000);
    /** Messages per replay read: Herald's default {@code herald.durable.replay-page}, which the benchmark keeps. */
    static final double REPLAY_PAGE = 200;

    private final Scenarios s;
    private final String jdbcUrl;

    /** {@code jdbcUrl}: the run's database, to count the stored rows and reads; null when there is none. */
    GroupScenarios(Scenarios s, String jdbcUrl) {
        this.s = s;
        this.jdbcUrl = jdbcUrl;
    }

    /** Checks group messages: for this client's group? Once? In seq order (durable)? Latency; catch-up. */
    final class Checker implements Fleet.Sink {
        final int id;
        final int[] groupOf;
        final int perClient;
        final boolean durable;
        final long[] lastSeq;
        final BitSet[] got;
        final AtomicIntegerArray count;
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final AtomicLong stray = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong caughtUp = new AtomicLong();
        final AtomicLong lastReceipt = new AtomicLong();
        final AtomicLong replays = new AtomicLong();
        final AtomicLong unrecovered = new AtomicLong();
        final Recorder latencies = new Recorder(3);

        /** {@code perClient}: the messages each client should get (caught up when it has them all). */
        Checker(int id, int[] groupOf, int perClient, boolean durable) {
            this.id = id;
            this.groupOf = groupOf;
            this.perClient = perClient;
            this.durable = durable;
            int n = s.fleet.size();
            lastSeq = new long[n];
            got = new BitSet[n];
            count = new AtomicIntegerArray(n);
        }

        @Override
        public void replay(Fleet.Conn conn, String frame, long nanos) {
            if (!frame.contains("\"group\":")) {
                return; // the uid's own stream
            }
            replays.incrementAndGet();
            if (!frame.contains("\"recovered\":true")) {
                unrecovered.incrementAndGet();
            }
        }

        @Override
        public void message(Fleet.Conn conn, String frame, long nanos) {
            int i = conn.index;
            int d = frame.indexOf("\"data\":");
            if (d < 0 || number(frame, "\"x\":", d) != id) {
                stray.incrementAndGet();
                return;
            }
            if (i >= groupOf.length || number(frame, "\"g\":", d) != groupOf[i]) {
                misrouted.incrementAndGet();
                return;
            }
            if (durable) {
                long seq = number(frame, "\"seq\":", 0);
                if (lastSeq[i] > 0 && seq != lastSeq[i] + 1) {
                    gaps.incrementAndGet();
                }
                lastSeq[i] = Math.max(lastSeq[i], seq);
            }
            int b = (int) number(frame, "\"b\":", d);
            BitSet seen = got[i];
            if (seen == null) {
                seen = new BitSet();
                got[i] = seen;
            }
            if (b < 0 || seen.get(b)) {
                duplicated.incrementAndGet();
                return;
            }
            seen.set(b);
            latencies.recordValue(Math.max(0, (nanos - number(frame, "\"ts\":", d)) / 1000));
            received.incrementAndGet();
            lastReceipt.accumulateAndGet(nanos, Math::max);
            if (count.incrementAndGet(i) == perClient) {
                caughtUp.incrementAndGet();
            }
        }

        long missing(int clients) {
            long missing = 0;
            for (int i = 0; i < clients; i++) {
                missing += Math.max(0, perClient - count.get(i));
            }
            return missing;
        }
    }

    // ------------------------------------------------------------------------------------------- fan out

    /**
     * One group of {@code members} online clients; {@code sends} group sends back to back, first ephemeral,
     * then durable (each after an unmeasured warm-up of a quarter as many): deliveries/s, server CPU per
     * delivery, and for the durable ones the rows stored.
     */
    void fanOut(int members, int sends) throws Exception {
        int n = Math.min(members, s.connectedCount());
        String group = "bench-fan-" + IDS.getAndIncrement();
        int joined = join(n, i -> group);
        log("%s: group fan-out: %,d of %,d clients joined %s", s.target.name, joined, n, group);
        send(Step.GROUP, group, n, Math.max(1, sends / 4), false, false);
        send(Step.GROUP, group, n, sends, false, true);
        send(Step.GROUP_DURABLE, group, n, Math.max(1, sends / 4), true, false);
        long rowsBefore = rows(group);
        send(Step.GROUP_DURABLE, group, n, sends, true, true);
        long rows = rows(group) - rowsBefore;
        s.results.put(Step.GROUP_DURABLE, Measure.ROWS, (double) rows);
        log("%s: group fan-out durable: %,d rows stored for %,.0f accepted sends to %,d members", s.target.name, rows,
                s.results.get(Step.GROUP_DURABLE, Measure.REQUESTS), n);
    }

    private void send(Step step, String group, int members, int sends, boolean durable, boolean measured)
            throws Exception {
        int id = IDS.getAndIncrement();
        Checker checker = new Checker(id, new int[members], sends, durable);
        Map<String, Long> countersBefore = s.serverCounters();
        s.fleet.register(id, checker);
        try {
            Proc.Meter meter = s.meter().start();
            long first = System.nanoTime();
            Scenarios.PushResult r = s.push(s.opt.pushers, sends, Duration.ofSeconds(300), k -> new Scenarios.Push(
                    "/api/groups/" + group + "/messages", "{\"data\":{\"x\":" + id + ",\"g\":0,\"b\":" + k + ",\"ts\":"
                            + Scenarios.stamp() + "},\"durable\":" + durable + "}"), null);
            long expected = r.accepted() * members;
            Scenarios.drain(checker.received, expected, Duration.ofSeconds(s.opt.drainIdleSeconds), Duration.ofSeconds(180));
            Proc.Usage u = meter.stop();
            if (!measured) {
                return;
            }
            long deliveries = checker.received.get();
            double seconds = (Math.max(checker.lastReceipt.get(), first) - first) / 1e9;
            s.results.put(step, Measure.CLIENTS, (double) members);
            s.results.put(step, Measure.REQUESTS, (double) r.accepted());
            s.results.put(step, Measure.ERRORS, (double) r.errors());
            s.results.put(step, Measure.DELIVERIES, (double) deliveries);
            s.results.put(step, Measure.RATE, deliveries / Math.max(1e-9, seconds));
            s.results.put(step, Measure.REQUEST_RATE, r.accepted() / Math.max(1e-9, seconds));
            s.results.put(step, Measure.LOST, (double) (expected - deliveries));
            s.results.put(step, Measure.DUPLICATED, (double) checker.duplicated.get());
            s.results.put(step, Measure.MISROUTED, (double) checker.misrouted.get());
            s.results.put(step, Measure.GAPS, (double) checker.gaps.get());
            s.results.put(step, Measure.STRAY, (double) checker.stray.get());
            Histogram latency = checker.latencies.getIntervalHistogram();
            s.latency(step, latency);
            s.usage(step, u, deliveries);
            s.health(step, countersBefore);
            log("%s: %s: %,d sends x %,d members: %,.0f deliveries/s, lost %d dup %d gaps %d misrouted %d, p99 %.1f ms; "
                            + "server %.2f cores (%.2f us/delivery), db %.2f, generator %.2f; errors %d %s",
                    s.target.name, step, r.accepted(), members, deliveries / Math.max(1e-9, seconds), expected - deliveries,
                    checker.duplicated.get(), checker.gaps.get(), checker.misrouted.get(),
                    latency.getValueAtPercentile(99) / 1e3, u.serverCores(), u.serverNanos() / 1e3 / Math.max(1, deliveries),
                    u.dbCores(), u.generatorCores(), r.errors(), r.sampleErrors());
        } finally {
            s.fleet.sink = Fleet.IGNORE;
        }
    }

    // ------------------------------------------------------------------------------------- reconnect storm

    /**
     * Every connected client is a member of one of {@code groups} groups. All drop their connections;
     * {@code backlog} durable messages are sent to each group; then all reconnect at once (their uid stream
     * with {@code ?since=}), are joined again through the backend channel, and resume their group from its
     * position before the drop. Time until every client has its group's whole backlog, in order, once; and
     * how often the store's message table was read meanwhile.
     */
    void storm(int groups, int backlog) throws Exception {
        int clients = s.connectedCount();
        int id = IDS.getAndIncrement();
        String prefix = "bench-room-" + id + "-";
        int[] groupOf = new int[clients];
        for (int i = 0; i < clients; i++) {
            groupOf[i] = i % groups;
        }
        int joined = join(clients, i -> prefix + groupOf[i]);
        log("%s: group storm: %,d of %,d clients joined %d groups; all drop, %d durable messages per group are sent, "
                + "all come back", s.target.name, joined, clients, groups, backlog);
        long[] since = new long[clients];
        for (int i = 0; i < clients; i++) {
            Fleet.Conn c = s.fleet.conn(i);
            since[i] = c == null ? 0 : c.lastSeq;
            if (c != null) {
                c.expectClose = true;
                if (c.ws != null) {
                    c.ws.abort();
                }
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s.onlineClients() > 0 && System.nanoTime() < end) {
            Thread.sleep(250);
        }

        Proc.Meter storeMeter = s.meter().start();
        Scenarios.PushResult stored = s.push(s.opt.pushers, (long) groups * backlog,
                Duration.ofSeconds(s.opt.backlogTimeoutSeconds), k -> new Scenarios.Push(
                        "/api/groups/" + prefix + (k % groups) + "/messages", "{\"data\":{\"x\":" + id + ",\"g\":" + (k % groups)
                                + ",\"b\":" + (k / groups) + ",\"ts\":" + Scenarios.stamp() + "},\"durable\":true}"), null);
        s.usage(Step.GROUP_STORM_STORE, storeMeter.stop(), stored.accepted());
        s.results.put(Step.GROUP_STORM, Measure.STORE_REQUESTS, (double) stored.accepted());
        s.results.put(Step.GROUP_STORM, Measure.STORE_ERRORS, (double) stored.errors());
        s.results.put(Step.GROUP_STORM, Measure.STORE_RATE, stored.accepted() / (stored.nanos() / 1e9));
        log("%s: group storm: stored %,d group messages in %.1f s, %d errors %s", s.target.name, stored.accepted(),
                stored.nanos() / 1e9, stored.errors(), stored.sampleErrors());

        Checker checker = new Checker(id, groupOf, backlog, true);
        Map<String, Long> countersBefore = s.serverCounters();
        s.fleet.register(id, checker);
        long readsBefore = replayReads("group");
        try {
            Proc.Meter meter = s.meter().start();
            long start = System.nanoTime();
            Fleet.ConnectResult r = s.fleet.connect(0, clients, i -> s.target.wsUrl(i, since[i]),
                    Math.min(clients, s.opt.stormInFlight), Duration.ofSeconds(s.opt.connectTimeoutSeconds),
                    conn -> conn.lastSeq = since[conn.index]);
            long connected = System.nanoTime();
            // Back in its group, each client resumes it from 0: its position before the drop (it had no message).
            join(clients, i -> prefix + groupOf[i], i -> s.fleet.conn(i).send(
                    "{\"type\":\"resume\",\"groups\":{\"" + prefix + groupOf[i] + "\":0}}"));
            long joinedAt = System.nanoTime();
            Scenarios.awaitCaughtUp(checker.caughtUp, r.opened(), checker.received,
                    Duration.ofSeconds(s.opt.stormTimeoutSeconds));
            Proc.Usage u = meter.stop();
            double seconds = (Math.max(checker.lastReceipt.get(), start) - start) / 1e9;
            long reads = replayReads("group") - readsBefore;
            s.results.put(Step.GROUP_STORM, Measure.CLIENTS, (double) clients);
            s.results.put(Step.GROUP_STORM, Measure.NODES, (double) groups);
            s.results.put(Step.GROUP_STORM, Measure.BACKLOG, (double) backlog);
            s.results.put(Step.GROUP_STORM, Measure.RECONNECTED, (double) r.opened());
            s.results.put(Step.GROUP_STORM, Measure.RECONNECT_FAILED, (double) r.failed());
            s.results.put(Step.GROUP_STORM, Measure.CONNECT_SECONDS, (connected - start) / 1e9);
            s.results.put(Step.GROUP_STORM, Measure.JOIN_SECONDS, (joinedAt - connected) / 1e9);
            s.results.put(Step.GROUP_STORM, Measure.CAUGHT_UP, (double) checker.caughtUp.get());
            s.results.put(Step.GROUP_STORM, Measure.SECONDS, seconds);
            s.results.put(Step.GROUP_STORM, Measure.RATE, checker.received.get() / Math.max(1e-9, seconds));
            s.results.put(Step.GROUP_STORM, Measure.LOST, (double) checker.missing(clients));
            s.results.put(Step.GROUP_STORM, Measure.DUPLICATED, (double) checker.duplicated.get());
            s.results.put(Step.GROUP_STORM, Measure.MISROUTED, (double) checker.misrouted.get());
            s.results.put(Step.GROUP_STORM, Measure.GAPS, (double) checker.gaps.get());
            s.results.put(Step.GROUP_STORM, Measure.UNRECOVERED, (double) checker.unrecovered.get());
            s.results.put(Step.GROUP_STORM, Measure.REPLAYS, (double) checker.replays.get());
            s.results.put(Step.GROUP_STORM, Measure.PAGE_READS, reads < 0 ? Double.NaN : (double) reads);
            s.usage(Step.GROUP_STORM, u, checker.received.get());
            s.health(Step.GROUP_STORM, countersBefore);
            log("%s: group storm: %,d reconnected (%d failed) in %.1f s, joined and resumed %.1f s later; %,d of %,d "
                            + "caught up after %.1f s; lost %d dup %d gaps %d misrouted %d unrecovered %d; %,d group pages read "
                            + "from the store; server %.2f cores, db %.2f, generator %.2f",
                    s.target.name, r.opened(), r.failed(), (connected - start) / 1e9, (joinedAt - connected) / 1e9,
                    checker.caughtUp.get(), clients, seconds, checker.missing(clients), checker.duplicated.get(),
                    checker.gaps.get(), checker.misrouted.get(), checker.unrecovered.get(), reads, u.serverCores(),
                    u.dbCores(), u.generatorCores());
        } finally {
            s.fleet.sink = Fleet.IGNORE;
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private int join(int clients, IntFunction<String> groupOf) throws InterruptedException {
        return join(clients, groupOf, i -> { });
    }

    /**
     * Joins clients [0, clients) to their groups through one backend channel, with a window of requests in
     * flight; {@code then} runs for each client once its join is answered. Returns how many joined.
     */
    private int join(int clients, IntFunction<String> groupOf, java.util.function.IntConsumer then)
            throws InterruptedException {
        AtomicInteger joined = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        Semaphore window = new Semaphore(s.opt.channelWindow);
        try (HeraldClient client = HeraldClient.builder().uri(s.target.channelUri()).apiKey(s.target.apiKey)
                .maxInFlight(s.opt.channelWindow).maxQueuedRequests(s.opt.channelWindow)
                .requestTimeout(Duration.ofSeconds(60)).build()) {
            for (int i = 0; i < clients; i++) {
                Fleet.Conn c = s.fleet.conn(i);
                if (c == null || c.clientId == null || c.closed) {
                    continue;
                }
                window.acquire();
                int index = i;
                client.joinGroup(groupOf.apply(i), c.clientId).whenComplete((v, e) -> {
                    window.release();
                    if (e == null) {
                        joined.incrementAndGet();
                        then.accept(index);
                    } else if (failures.incrementAndGet() <= 3) {
                        log("a group join failed: %s", e);
                    }
                });
            }
            if (!window.tryAcquire(s.opt.channelWindow, 120, TimeUnit.SECONDS)) {
                log("group joins were still unanswered after 120 s");
            }
        }
        return joined.get();
    }

    /** Rows in the group's stream (its key is '#' and its name), or -1 without a database. */
    private long rows(String group) {
        return query("SELECT count(*) FROM herald_message WHERE uid = ?", "#" + group);
    }

    /** Herald's count of replay pages read from the store for this kind of stream (its metrics), or -1. */
    private long replayReads(String stream) {
        try (Http http = s.target.http()) {
            String metrics = http.get("/api/metrics").body();
            String line = "herald_replay_reads_total{stream=\"" + stream + "\"} ";
            int at = metrics.indexOf(line);
            return at < 0 ? -1 : (long) Double.parseDouble(metrics.substring(at + line.length(), metrics.indexOf('\n', at)).trim());
        } catch (java.io.IOException | RuntimeException e) {
            log("cannot read Herald's metrics: %s", e);
            return -1;
        }
    }

    private long query(String sql, String parameter) {
        if (jdbcUrl == null) {
            return -1;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet r = statement.executeQuery()) {
                return r.next() ? r.getLong(1) : -1;
            }
        } catch (java.sql.SQLException e) {
            log("cannot read the database: %s", e);
            return -1;
        }
    }
}
