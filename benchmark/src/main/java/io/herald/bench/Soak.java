package io.herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.herald.bench.Scenarios.log;

/**
 * The soak (issue 19, item 5): Herald on WildFly with PostgreSQL and webhooks on, under a moderate mixed
 * load for {@code --soak-minutes}, sampled every minute, so that a leak, a table that keeps growing or a
 * gauge that drifts shows as a slope. The load is open loop at fixed rates well below what the machine
 * sustains; see benchmark/README.md ("Soak") for what runs and what is checked. Writes soak.md.
 */
final class Soak {

    static final int GROUPS = 20;
    static final int OFFLINE_UIDS = 100;
    static final String OFFLINE_PREFIX = "soak-offline-";
    private static final int SCENARIO_ID = 1;

    private final Options opt;
    private final Main main;
    private final Path benchDir;
    final List<Map<String, Double>> samples = new ArrayList<>();
    final Map<String, String> settings = new LinkedHashMap<>();
    final Map<String, String> tally = new LinkedHashMap<>();
    List<String> gaugeNames = List.of();
    /** The classes whose live heap changed most over the second half, as table rows. */
    final List<String> heapGrowth = new ArrayList<>();

    Soak(Options opt, Main main, Path benchDir) {
        this.opt = opt;
        this.main = main;
        this.benchDir = benchDir;
    }

    void run() throws Exception {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        String secret = HexFormat.of().formatHex(key); // 48 characters
        try (WebhookSink hooks = new WebhookSink(secret, SoakLoad.VISITOR_PREFIX)) {
            String db = main.postgres.createDatabase("herald_soak");
            Map<String, String> extra = Map.of("herald.webhook.url", hooks.url(), "herald.webhook.secret", secret);
            Servers.AppServer server = main.wildfly("soak", opt.portBase - 8080, db, extra);
            log("soak: starting WildFly on port %d, webhooks to %s", server.httpPort(), hooks.url());
            main.track(server).start(Duration.ofMinutes(5));
            try {
                Target target = new Target("Herald (WildFly)", Target.Kind.HERALD, new int[] {server.httpPort()},
                        server.httpPort(), List.of(server.pid()), Main.API_KEY);
                soak(target, db, hooks);
            } finally {
                main.stop(server);
            }
        }
        Path out = benchDir.resolve("soak.md");
        String markdown = SoakReport.markdown(this);
        Files.writeString(out, markdown);
        log("soak: wrote %s%n%s", out, markdown);
    }

    private void soak(Target target, String db, WebhookSink hooks) throws Exception {
        int n = opt.connections;
        int stable = n - n / 5;
        Duration duration = Duration.ofMinutes(opt.soakMinutes);
        Machine machine = Machine.read();
        machine.readHerald(opt.project);
        settings.put("started", Instant.now() + ", " + opt.soakMinutes + " minutes (`" + opt.command + "`)");
        settings.put("machine", machine.summary() + "; load average at the start " + Proc.loadAverage1()
                + " (other work may share the machine: the figures are about flatness, not speed)");
        settings.put("Herald", machine.herald);
        settings.put("clients", String.format("%,d: %,d stable (ephemeral, durable and group messages), %,d churned "
                + "(durable messages only; %d a second drop and resume %d s later with `since`)", n, stable, n - stable,
                opt.soakChurn, SoakLoad.AWAY_MILLIS / 1000));
        settings.put("pushes", String.format("open loop: %,d ephemeral/s to the stable clients' uids, %,d durable/s "
                        + "to all clients' uids, %d durable/s to %d uids that never connect (message.unacknowledged), "
                        + "%d group sends/s to %d permanent groups of %d stable clients each", opt.soakEphemeral,
                opt.soakDurable, opt.soakOffline, OFFLINE_UIDS, opt.soakGroupSends, GROUPS, stable / GROUPS));
        settings.put("other load", String.format("%d visitors/s (fresh uids, connect, stay %d s, leave); %d transient "
                        + "group joins/s through REST among %d groups, each left %d s later; acks once a second",
                opt.soakVisitors, SoakLoad.VISIT_MILLIS / 1000, opt.soakJoins, SoakLoad.TRANSIENT_GROUPS,
                SoakLoad.MEMBERSHIP_MILLIS / 1000));
        settings.put("server", "Herald on WildFly, " + opt.heraldJvm + ", PostgreSQL 17, webhooks on (a receiver in "
                + "the generator answering 204), otherwise the benchmark's settings");

        try (Fleet fleet = new Fleet(n, 4, 4); Fleet visitors = SoakLoad.visitorFleet()) {
            SoakChecker checker = new SoakChecker(SCENARIO_ID, n, stable, GROUPS);
            fleet.register(SCENARIO_ID, checker);
            log("soak: connecting %,d clients", n);
            Fleet.ConnectResult connected = fleet.connect(0, n, i -> target.wsUrl(i, null), opt.connectInFlight,
                    Duration.ofSeconds(opt.connectTimeoutSeconds));
            log("soak: %,d open, %,d failed %s", connected.opened(), connected.failed(), connected.sampleErrors());
            int[] members = joinPermanentGroups(target, fleet, stable);
            SoakSampler sampler = new SoakSampler(target, db);
            SoakLoad load = new SoakLoad(target, fleet, visitors, stable, opt.soakChurn, opt.soakVisitors, opt.soakJoins);
            Counts counts = new Counts(checker, load, hooks, members);
            sample(sampler, counts, 0);

            Scenarios pushing = new Scenarios(opt, target, fleet, main.postgres.pid(), new Results());
            ExecutorService threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "soak");
                t.setDaemon(true);
                return t;
            });
            ScheduledExecutorService acker = Executors.newSingleThreadScheduledExecutor();
            acker.scheduleWithFixedDelay(load::ackAll, 1, 1, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long seconds = duration.toSeconds();
            AtomicLongArray offlineBySecond = new AtomicLongArray((int) seconds + 130);
            List<Future<?>> pushers = new ArrayList<>();
            pushers.add(threads.submit(() -> pushing.push(16, Long.MAX_VALUE, duration, opt.soakEphemeral, k -> {
                int i = (int) (k % stable);
                int nn = checker.nextEphemeral.getAndIncrement(i);
                return new Scenarios.Push(target.pushPath(Fleet.uid(i)),
                        target.pushBody(checker.payload(SoakChecker.EPHEMERAL, i, nn), false));
            }, (k, body) -> checker.acceptedEphemeral.incrementAndGet((int) (k % stable)))));
            pushers.add(threads.submit(() -> pushing.push(24, Long.MAX_VALUE, duration, opt.soakDurable, k -> {
                int i = (int) (k % n);
                int nn = checker.nextDurable.getAndIncrement(i);
                return new Scenarios.Push(target.pushPath(Fleet.uid(i)),
                        target.pushBody(checker.payload(SoakChecker.DURABLE, i, nn), true));
            }, (k, body) -> checker.acceptedDurable.incrementAndGet((int) (k % n)))));
            pushers.add(threads.submit(() -> pushing.push(2, Long.MAX_VALUE, duration, opt.soakOffline, k ->
                    new Scenarios.Push(target.pushPath(OFFLINE_PREFIX + (k % OFFLINE_UIDS)),
                            target.pushBody(checker.payload(SoakChecker.DURABLE, -1, (int) k), true)),
                    (k, body) -> {
                        counts.offlineAccepted.incrementAndGet();
                        offlineBySecond.incrementAndGet((int) Math.min(offlineBySecond.length() - 1,
                                (System.nanoTime() - start) / 1_000_000_000L));
                    })));
            pushers.add(threads.submit(() -> pushing.push(4, Long.MAX_VALUE, duration, opt.soakGroupSends, k -> {
                int g = (int) (k % GROUPS);
                int nn = checker.nextGroup.getAndIncrement(g);
                return new Scenarios.Push("/api/groups/soak-g" + g + "/messages",
                        "{\"data\":" + checker.payload(SoakChecker.GROUP, g, nn) + "}");
            }, (k, body) -> checker.acceptedGroup.incrementAndGet((int) (k % GROUPS)))));
            List<Future<?>> loops = List.of(threads.submit(() -> { load.churn(); return null; }),
                    threads.submit(() -> { load.visitors(); return null; }),
                    threads.submit(() -> { load.joins(); return null; }));
            log("soak: load on for %d minutes", opt.soakMinutes);

            Map<String, long[]> atHalf = Map.of();
            for (int minute = 1; minute <= opt.soakMinutes; minute++) {
                long due = start + TimeUnit.MINUTES.toNanos(minute);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                sample(sampler, counts, (System.nanoTime() - start) / 60e9);
                if (minute == (opt.soakMinutes + 1) / 2) {
                    atHalf = sampler.lastHistogram;
                }
            }
            heapGrowth(atHalf, sampler.lastHistogram);
            load.stop();
            List<Scenarios.PushResult> results = new ArrayList<>();
            for (Future<?> f : pushers) {
                results.add((Scenarios.PushResult) f.get(5, TimeUnit.MINUTES));
            }
            for (Future<?> f : loops) {
                f.get(5, TimeUnit.MINUTES);
            }
                int reconnected = load.reconnectClosed();
            load.ackAll();
            log("soak: load stopped; %d clients reconnected; draining", reconnected);
            drain(counts);
            // The visitors' last uid.offline is due the offline delay (5 s) after they left, then sent.
            long quiet = System.currentTimeMillis() - load.lastVisitorClose;
            Thread.sleep(Math.max(0, 15_000 - quiet));
            load.ackAll();
            Thread.sleep(2000);
            int finalSecond = (int) ((System.nanoTime() - start) / 1_000_000_000L);
            Map<String, Double> last = sample(sampler, counts, (System.nanoTime() - start) / 60e9);
            last.put("end", 1.0);
            acker.shutdownNow();
            threads.shutdownNow();
            gaugeNames = sampler.gaugeNames();
            settle(fleet, checker, load, hooks, counts, results, connected, offlineBySecond,
                    finalSecond, members, reconnected, visitors);
        }
    }

    private void heapGrowth(Map<String, long[]> before, Map<String, long[]> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return;
        }
        Map<String, long[]> change = new java.util.HashMap<>();
        after.forEach((cls, a) -> {
            long[] b = before.getOrDefault(cls, new long[2]);
            change.put(cls, new long[] {a[0] - b[0], a[1] - b[1]});
        });
        before.forEach((cls, b) -> change.putIfAbsent(cls, new long[] {-b[0], -b[1]}));
        change.entrySet().stream()
                .sorted((x, y) -> Long.compare(Math.abs(y.getValue()[1]), Math.abs(x.getValue()[1])))
                .limit(12)
                .forEach(e -> heapGrowth.add(String.format("| `%s` | %+,d | %+,d |", e.getKey(), e.getValue()[0],
                        e.getValue()[1])));
    }

    /** Every stable client joins its permanent group soak-g(i mod GROUPS); returns the members per group. */
    private int[] joinPermanentGroups(Target target, Fleet fleet, int stable) throws Exception {
        int[] members = new int[GROUPS];
        int failed = 0;
        try (Http http = target.http()) {
            for (int i = 0; i < stable; i++) {
                Fleet.Conn c = fleet.conn(i);
                if (c != null && c.clientId != null
                        && http.put("/api/groups/soak-g" + (i % GROUPS) + "/clients/" + c.clientId).status() == 204) {
                    members[i % GROUPS]++;
                } else {
                    failed++;
                }
            }
        }
        log("soak: %,d stable clients joined %d permanent groups, %d failed", stable - failed, GROUPS, failed);
        tally.put("permanent group joins failed", String.valueOf(failed));
        return members;
    }

    private Map<String, Double> sample(SoakSampler sampler, Counts counts, double minute) throws InterruptedException {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("minute", minute);
        s.putAll(counts.snapshot());
        s.putAll(sampler.sample());
        samples.add(s);
        log("soak: minute %.1f: heap %.1f MiB, RSS %.1f MiB, %.2f cores, connections %.0f, messages rows %.0f, "
                        + "streams %.0f, outbox %.0f, online %.0f, reported %.0f; ephemeral %.0f/%.0f durable %.0f/%.0f "
                        + "group %.0f/%.0f (expected/received); webhooks %.0f", minute, s.get("heap"), s.get("rss"),
                s.get("cpu"), s.getOrDefault("herald_connections", Double.NaN), s.get("herald_message"),
                s.get("herald_stream"), s.get("herald_webhook_event"), s.get("herald_webhook_online"),
                s.get("herald_webhook_reported"), s.get("ephemeralExpected"), s.get("ephemeralReceived"),
                s.get("durableExpected"), s.get("durableReceived"), s.get("groupExpected"), s.get("groupReceived"),
                s.get("webhooks"));
        return s;
    }

    /** Waits until every message expected has arrived, or nothing arrived for 15 s, or 3 minutes passed. */
    private static void drain(Counts counts) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < end) {
            Map<String, Double> s = counts.snapshot();
            double outstanding = s.get("ephemeralExpected") - s.get("ephemeralReceived") + s.get("durableExpected")
                    - s.get("durableReceived") + s.get("groupExpected") - s.get("groupReceived");
            if (outstanding <= 0) {
                return;
            }
            long received = (long) (s.get("ephemeralReceived") + s.get("durableReceived") + s.get("groupReceived"));
            if (received != last) {
                last = received;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(15)) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** The final figures: lost, duplicated, gaps, webhooks expected and received. */
    private void settle(Fleet fleet, SoakChecker checker, SoakLoad load, WebhookSink hooks, Counts counts,
                        List<Scenarios.PushResult> results, Fleet.ConnectResult connected, AtomicLongArray offlineBySecond,
                        int finalSecond, int[] members, int reconnectedAtEnd, Fleet visitorFleet) {
        long lostEphemeral = 0;
        long lostDurable = 0;
        long lostGroup = 0;
        long toClosed = 0;
        for (int i = 0; i < fleet.size(); i++) {
            long missing = (i < checker.stable ? checker.missingEphemeral(i) + checker.missingGroup(i) : 0)
                    + checker.missingDurable(i);
            if (fleet.closed(i)) {
                toClosed += missing;
                continue;
            }
            lostEphemeral += i < checker.stable ? checker.missingEphemeral(i) : 0;
            lostGroup += checker.missingGroup(i);
            lostDurable += checker.missingDurable(i);
        }
        String[] names = {"ephemeral", "durable", "durable to never-connected uids", "group sends"};
        for (int p = 0; p < results.size(); p++) {
            Scenarios.PushResult r = results.get(p);
            tally.put(names[p] + " pushes", String.format("%,d accepted, %,d errors (%,.0f/s) %s", r.accepted(),
                    r.errors(), r.accepted() / (r.nanos() / 1e9), r.sampleErrors().isEmpty() ? "" : r.sampleErrors()));
        }
        Map<String, Double> end = counts.snapshot();
        tally.put("deliveries (expected / received)", String.format("ephemeral %,.0f / %,.0f; durable %,.0f / %,.0f; "
                        + "group %,.0f / %,.0f", end.get("ephemeralExpected"), end.get("ephemeralReceived"),
                end.get("durableExpected"), end.get("durableReceived"), end.get("groupExpected"), end.get("groupReceived")));
        tally.put("lost (ephemeral / durable / group)", lostEphemeral + " / " + lostDurable + " / " + lostGroup);
        tally.put("to clients closed by the server (not by the soak)", String.valueOf(toClosed));
        tally.put("duplicated / misrouted / durable gaps / stray", checker.duplicated.get() + " / "
                + checker.misrouted.get() + " / " + checker.gaps.get() + " / " + (checker.stray.get() + fleet.strays.get()));
        tally.put("replays (resumes with since) / not recovered", checker.replays.get() + " / " + checker.unrecovered.get());
        tally.put("connections", String.format("%,d opened at the start (%d failed); churn: %,d closes, %,d resumes, "
                        + "%d failed; %d reconnected after the load; visitors: %,d opened, %d failed, %,d closed",
                connected.opened(), connected.failed(), load.churnCloses.get(), load.churnReconnects.get(),
                load.churnFailures.get(), reconnectedAtEnd, load.visitorsOpened.get(), load.visitorsFailed.get(),
                load.visitorsClosed.get()));
        tally.put("unexpected closes (by the server)", fleet.unexpectedCloses.get() + " " + fleet.closeCodes
                + "; visitors " + visitorFleet.unexpectedCloses.get() + " " + visitorFleet.closeCodes);
        tally.put("group REST calls", String.format("%,d transient joins (%,d of clients gone meanwhile: 404), %,d "
                + "leaves, %d errors; permanent members %s", load.joins.get(), load.joinsOfGone.get(), load.leaves.get(),
                load.restErrors.get(), java.util.Arrays.toString(members)));
        webhookTally(load, hooks, offlineBySecond, finalSecond);
        tally.put("webhook events expected from the load", String.format("client.connected %,d (clients opened), "
                        + "client.closed %,d (closed by the soak or the server), uid.online %,d (the fleet's uids and the "
                        + "visitors'), uid.offline %,d (the visitors')",
                connected.opened() + load.churnReconnects.get() + load.visitorsOpened.get(),
                load.churnCloses.get() + load.visitorsClosed.get() + fleet.unexpectedCloses.get()
                        + visitorFleet.unexpectedCloses.get(), connected.opened() + load.visitorsOpened.get(),
                load.visitorsOpened.get()));
    }

    private void webhookTally(SoakLoad load, WebhookSink hooks, AtomicLongArray offlineBySecond, int finalSecond) {
        Map<String, Long> byType = hooks.byType();
        tally.put("webhook events received", String.format("%,d distinct (%,d requests, %d repeated ids, %d bad "
                + "signatures): %s", hooks.distinct(), hooks.received.get(), hooks.repeated.get(),
                hooks.badSignatures.get(), byType));
        long missingOnline = load.visitorUids.stream().filter(u -> !hooks.watchedOnline.contains(u)).count();
        long missingOffline = load.visitorUids.stream().filter(u -> !hooks.watchedOffline.contains(u)).count();
        tally.put("visitors' presence webhooks", String.format("%,d visitor uids connected: uid.online missing for %d, "
                + "uid.offline missing for %d", load.visitorUids.size(), missingOnline, missingOffline));
        // A message to a never-connected uid is reported once it is unacknowledged for 60 s, by a scan every
        // 10 s: those accepted 80 s or more before the final reading must all have been reported.
        long due = 0;
        long all = 0;
        int lastDueSecond = finalSecond - 80;
        for (int s = 0; s < offlineBySecond.length(); s++) {
            all += offlineBySecond.get(s);
            if (s <= lastDueSecond) {
                due += offlineBySecond.get(s);
            }
        }
        tally.put("message.unacknowledged", String.format("%,d received; %,d durable messages to never-connected "
                        + "uids, %,d of them old enough to be due", byType.getOrDefault("message.unacknowledged", 0L),
                all, due));
    }

    /** The running totals sampled with each reading. */
    static final class Counts {
        final SoakChecker checker;
        final SoakLoad load;
        final WebhookSink hooks;
        final int[] members;
        final AtomicLong offlineAccepted = new AtomicLong();

        Counts(SoakChecker checker, SoakLoad load, WebhookSink hooks, int[] members) {
            this.checker = checker;
            this.load = load;
            this.hooks = hooks;
            this.members = members;
        }

        Map<String, Double> snapshot() {
            Map<String, Double> s = new LinkedHashMap<>();
            long group = 0;
            for (int g = 0; g < members.length; g++) {
                group += (long) checker.acceptedGroup.get(g) * members[g];
            }
            s.put("ephemeralExpected", (double) SoakChecker.sum(checker.acceptedEphemeral));
            s.put("ephemeralReceived", (double) checker.receivedEphemeral.get());
            s.put("durableExpected", (double) SoakChecker.sum(checker.acceptedDurable));
            s.put("durableReceived", (double) checker.receivedDurable.get());
            s.put("groupExpected", (double) group);
            s.put("groupReceived", (double) checker.receivedGroup.get());
            s.put("offlineAccepted", (double) offlineAccepted.get());
            s.put("webhooks", (double) hooks.distinct());
            s.put("resumes", (double) load.churnReconnects.get());
            s.put("visitors", (double) load.visitorsOpened.get());
            s.put("joins", (double) load.joins.get());
            s.put("duplicated", (double) checker.duplicated.get());
            s.put("gaps", (double) checker.gaps.get());
            return s;
        }
    }
}
