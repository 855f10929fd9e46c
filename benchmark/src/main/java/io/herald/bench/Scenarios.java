package io.herald.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongFunction;

import static io.herald.bench.Fleet.number;

/**
 * The scenarios, run against one {@link Target} with one {@link Fleet} of clients. Each is bounded in
 * count and time, checks every message its clients receive (for them? once? in order?), and records its
 * figures per {@link Step} in {@link Results}. Nothing here asserts a timing: figures are reported.
 */
final class Scenarios {

    private static final AtomicInteger SCENARIO_IDS = new AtomicInteger(1);
    /** Looked up once: {@code jakarta.json.Json}'s methods look the provider up on every call. */
    private static final jakarta.json.spi.JsonProvider JSON = jakarta.json.spi.JsonProvider.provider();

    final Options opt;
    final Target target;
    final Fleet fleet;
    final long dbPid;
    final Results results;
    private int connected;

    Scenarios(Options opt, Target target, Fleet fleet, long dbPid, Results results) {
        this.opt = opt;
        this.target = target;
        this.fleet = fleet;
        this.dbPid = dbPid;
        this.results = results;
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    }

    Proc.Meter meter() {
        return new Proc.Meter(target.pids, target.herald() ? dbPid : -1);
    }

    void usage(Step step, Proc.Usage u, long messages) {
        results.put(step, Measure.WALL_S, u.wallNanos() / 1e9);
        results.put(step, Measure.SERVER_CORES, u.serverCores());
        results.put(step, Measure.GENERATOR_CORES, u.generatorCores());
        results.put(step, Measure.DB_CORES, u.dbCores());
        results.put(step, Measure.MACHINE_CORES, u.machineCores());
        results.put(step, Measure.OTHER_CORES, u.otherCores());
        if (messages > 0) {
            results.put(step, Measure.SERVER_CPU_US, u.serverNanos() / 1e3 / messages);
            results.put(step, Measure.GENERATOR_CPU_US, u.generatorNanos() / 1e3 / messages);
            if (u.dbNanos() > 0) {
                results.put(step, Measure.DB_CPU_US, u.dbNanos() / 1e3 / messages);
            }
        }
    }

    void latency(Step step, Histogram h) {
        latency(step, h, Measure.P50_MS, Measure.P99_MS, Measure.MAX_MS);
    }

    private void latency(Step step, Histogram h, Measure p50, Measure p99, Measure max) {
        results.put(step, p50, h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1e3);
        results.put(step, p99, h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e3);
        results.put(step, max, h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1e3);
    }

    // ---------------------------------------------------------------------------------------------- memory

    /** Server memory now, after a full GC: [rss bytes, heap bytes (-1 if unknown)], summed over the servers. */
    long[] memory() throws InterruptedException {
        long rss = 0;
        long heap = 0;
        for (long pid : target.pids) {
            if (target.jvm()) {
                Proc.gc(pid);
                Thread.sleep(1000);
                long h = Proc.heapUsedBytes(pid);
                heap = heap < 0 || h < 0 ? -1 : heap + h;
            } else {
                try (Http http = target.http()) {
                    String body = http.post("/gc", "{}").body();
                    long h = number(body, "\"heapUsed\":", 0);
                    heap = h == Long.MIN_VALUE ? -1 : heap + h;
                } catch (IOException e) {
                    heap = -1;
                }
                Thread.sleep(1000);
            }
            rss += Proc.rssBytes(pid);
        }
        return new long[] {rss, heap};
    }

    // -------------------------------------------------------------------------------------------- capacity

    /** Opens the fleet's connections: connect rate, and server memory per idle connection. */
    void capacity(boolean measureMemory) throws Exception {
        int n = fleet.size();
        long[] before = measureMemory ? memory() : null;
        Map<String, long[]> histogramBefore = measureMemory && target.jvm() ? Proc.histogram(target.pids.get(0)) : null;
        log("%s: connecting %,d clients", target.name, n);
        Proc.Meter meter = meter().start();
        Fleet.ConnectResult r = fleet.connect(0, n, i -> target.wsUrl(i, null), opt.connectInFlight,
                Duration.ofSeconds(opt.connectTimeoutSeconds));
        // Work a connect leaves behind (Herald: each client's start on its durable stream) counts as the
        // connect's, and must not run into the memory reading or the next scenario.
        double settled = settle();
        Proc.Usage u = meter.stop();
        results.put(Step.CONNECT, Measure.SETTLE_S, settled);
        connected = r.opened();
        results.put(Step.CONNECT, Measure.N, (double) n);
        results.put(Step.CONNECT, Measure.OPENED, (double) r.opened());
        results.put(Step.CONNECT, Measure.FAILED, (double) r.failed());
        results.put(Step.CONNECT, Measure.SECONDS, r.nanos() / 1e9);
        results.put(Step.CONNECT, Measure.RATE, r.opened() / (r.nanos() / 1e9));
        usage(Step.CONNECT, u, r.opened());
        log("%s: %,d open, %,d failed in %.1f s (%,.0f/s), server and database idle %.1f s later %s", target.name,
                r.opened(), r.failed(), r.nanos() / 1e9, r.opened() / (r.nanos() / 1e9), settled, r.sampleErrors());
        if (measureMemory) {
            Thread.sleep(2000);
            long[] after = memory();
            results.put(Step.MEMORY, Measure.RSS_BEFORE_MIB, before[0] / 1048576.0);
            results.put(Step.MEMORY, Measure.RSS_AFTER_MIB, after[0] / 1048576.0);
            results.put(Step.MEMORY, Measure.RSS_PER_CONN_KIB, (after[0] - before[0]) / 1024.0 / Math.max(1, r.opened()));
            if (before[1] >= 0 && after[1] >= 0) {
                results.put(Step.MEMORY, Measure.HEAP_BEFORE_MIB, before[1] / 1048576.0);
                results.put(Step.MEMORY, Measure.HEAP_AFTER_MIB, after[1] / 1048576.0);
                results.put(Step.MEMORY, Measure.HEAP_PER_CONN_KIB, (after[1] - before[1]) / 1024.0 / Math.max(1, r.opened()));
            }
            if (histogramBefore != null) {
                perConnectionClasses(histogramBefore, Proc.histogram(target.pids.get(0)), r.opened());
            }
            log("%s: RSS %.1f -> %.1f MiB (%.2f KiB/conn), heap %.1f -> %.1f MiB", target.name,
                    before[0] / 1048576.0, after[0] / 1048576.0, (after[0] - before[0]) / 1024.0 / Math.max(1, r.opened()),
                    before[1] / 1048576.0, after[1] / 1048576.0);
            warmReconnects(n, results.get(Step.CONNECT, Measure.SERVER_CPU_US));
        }
    }

    /** Most reconnect rounds of {@link #warmReconnects}. */
    private static final int WARM_ROUNDS = 10;

    /**
     * The connect in steady state: every client drops (TCP, as in an outage) and all reconnect at once, round
     * after round, until the server's CPU per connect stops falling (by less than 5 %), at most
     * {@link #WARM_ROUNDS}. The first connect above is the cold one, what a freshly started node meets; with
     * two cores the JIT compiler is still busy then. The last round's figures are recorded.
     */
    private void warmReconnects(int n, double coldCpuUs) throws Exception {
        double previous = coldCpuUs;
        for (int round = 1; round <= WARM_ROUNDS; round++) {
            fleet.abortAll();
            settle();
            Proc.Meter meter = meter().start();
            Fleet.ConnectResult r = fleet.connect(0, n, i -> target.wsUrl(i, null), opt.connectInFlight,
                    Duration.ofSeconds(opt.connectTimeoutSeconds));
            double settled = settle();
            Proc.Usage u = meter.stop();
            results.put(Step.CONNECT_WARM, Measure.ROUNDS, (double) round);
            results.put(Step.CONNECT_WARM, Measure.OPENED, (double) r.opened());
            results.put(Step.CONNECT_WARM, Measure.FAILED, (double) r.failed());
            results.put(Step.CONNECT_WARM, Measure.SECONDS, r.nanos() / 1e9);
            results.put(Step.CONNECT_WARM, Measure.RATE, r.opened() / (r.nanos() / 1e9));
            results.put(Step.CONNECT_WARM, Measure.SETTLE_S, settled);
            usage(Step.CONNECT_WARM, u, r.opened());
            double cpu = results.get(Step.CONNECT_WARM, Measure.SERVER_CPU_US);
            log("%s: reconnect round %d: %,d open, %,d failed in %.1f s (%,.0f/s), %,.0f µs of server CPU per connect,"
                    + " idle %.1f s later %s", target.name, round, r.opened(), r.failed(), r.nanos() / 1e9,
                    r.opened() / (r.nanos() / 1e9), cpu, settled, r.sampleErrors());
            if (r.failed() > 0 || cpu > previous * 0.95) {
                break;
            }
            previous = cpu;
        }
        connected = (int) results.get(Step.CONNECT_WARM, Measure.OPENED);
    }

    /**
     * Waits until the server and the database are idle again (under 0.15 cores together over a second; an
     * idle Herald with 10,000 clients still pings them), for at most 60 s. Returns the seconds waited.
     */
    private double settle() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Proc.Meter second = meter().start();
            Thread.sleep(1000);
            Proc.Usage u = second.stop();
            if (u.serverCores() + u.dbCores() < 0.15) {
                break;
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** What the heap holds per connection: the class histogram's growth, largest first. */
    private void perConnectionClasses(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        if (connections <= 0 || after.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        after.forEach((cls, a) -> {
            long[] b = before.getOrDefault(cls, new long[2]);
            long bytes = a[1] - b[1];
            long instances = a[0] - b[0];
            if (bytes > 0) {
                rows.add(new String[] {cls, String.valueOf(bytes), String.valueOf(instances)});
            }
        });
        rows.sort((x, y) -> Long.compare(Long.parseLong(y[1]), Long.parseLong(x[1])));
        StringBuilder table = new StringBuilder();
        StringBuilder top = new StringBuilder();
        long total = rows.stream().mapToLong(x -> Long.parseLong(x[1])).sum();
        table.append(String.format("heap growth per connection after a full GC, %d connections: %.0f bytes%n",
                connections, (double) total / connections));
        for (int i = 0; i < rows.size() && i < 40; i++) {
            String[] row = rows.get(i);
            double bytes = Double.parseDouble(row[1]) / connections;
            double instances = Double.parseDouble(row[2]) / connections;
            table.append(String.format("%8.0f B %6.2f objects  %s%n", bytes, instances, row[0]));
            if (i < 12) {
                top.append(i > 0 ? ", " : "").append(String.format("%s %.0f B (%.1f)", row[0].replace("java.util.", "")
                        .replace("io.undertow.", "u."), bytes, instances));
            }
        }
        table.append("Herald's own classes:\n");
        for (String[] row : rows) {
            if (row[0].startsWith("io.herald")) {
                table.append(String.format("%8.0f B %6.2f objects  %s%n", Double.parseDouble(row[1]) / connections,
                        Double.parseDouble(row[2]) / connections, row[0]));
            }
        }
        results.put(Step.MEMORY, Measure.HISTOGRAM_BYTES_PER_CONN, (double) total / connections);
        results.put(Step.MEMORY, Measure.TOP_CLASSES, top.toString());
        try {
            java.nio.file.Path file = java.nio.file.Path.of(opt.project.toString(), "benchmark/target/bench",
                    "heap-per-connection-" + target.name.replaceAll("[^A-Za-z]+", "-").toLowerCase() + ".txt");
            java.nio.file.Files.writeString(file, table);
        } catch (IOException e) {
            log("cannot write the class histogram: %s", e);
        }
    }

    int connected() {
        return connected;
    }

    // --------------------------------------------------------------------------------------------- pushers

    record Push(String path, String body) {
    }

    /** {@code answers}: from each request's due time to its answer (µs), where the pusher records it; else null. */
    record PushResult(long accepted, long errors, long nanos, List<String> sampleErrors, Histogram answers) {

        PushResult(long accepted, long errors, long nanos, List<String> sampleErrors) {
            this(accepted, errors, nanos, sampleErrors, null);
        }
    }

    /**
     * {@code threads} pushers, each on its own persistent HTTP connection, send requests k = 0, 1, 2 … until
     * {@code max} or the deadline; {@code onAccepted} is told which k got a 2xx (with the answer's body).
     */
    PushResult push(int threads, long max, Duration duration, LongFunction<Push> request,
                    java.util.function.BiConsumer<Long, String> onAccepted) throws InterruptedException {
        return push(threads, max, duration, 0, request, onAccepted);
    }

    /** The send time to stamp into a payload: the scheduled time when paced (open loop), else now. */
    private static final ThreadLocal<Long> SCHEDULED = new ThreadLocal<>();

    static long stamp() {
        Long scheduled = SCHEDULED.get();
        return scheduled != null ? scheduled : System.nanoTime();
    }

    /**
     * As above; with {@code rate} > 0 request k is due at start + k / rate (open loop). Its payload then
     * carries the due time, so that a server falling behind shows in the latency (no coordinated omission).
     */
    PushResult push(int threads, long max, Duration duration, double rate, LongFunction<Push> request,
                    java.util.function.BiConsumer<Long, String> onAccepted) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<String> samples = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try (Http http = target.http()) {
                    while (true) {
                        long k = next.getAndIncrement();
                        if (k >= max || System.nanoTime() > deadline) {
                            break;
                        }
                        if (rate > 0) {
                            long due = start + (long) (k * 1e9 / rate);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                            SCHEDULED.set(due);
                        }
                        Push p = request.apply(k);
                        try {
                            Http.Response response = http.post(p.path(), p.body());
                            if (response.status() / 100 == 2) {
                                accepted.incrementAndGet();
                                if (onAccepted != null) {
                                    onAccepted.accept(k, response.body());
                                }
                            } else {
                                errors.incrementAndGet();
                                sample(samples, response.status() + " " + response.body());
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            sample(samples, e.toString());
                            http.close();
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "pusher-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        if (!done.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
            log("pushers did not finish in time");
        }
        return new PushResult(accepted.get(), errors.get(), System.nanoTime() - start, samples);
    }

    /**
     * As {@link #push}, through the backend channel with {@code herald-client} instead of HTTP requests: one
     * connection, up to {@code opt.channelWindow} requests in flight (the client coalesces what waits into one
     * frame). With {@code rate} > 0, request k is sent when due (open loop), as above.
     */
    PushResult pushOnChannel(long max, Duration duration, double rate, LongFunction<Push> request,
                             java.util.function.BiConsumer<Long, String> onAccepted) throws InterruptedException {
        AtomicLong accepted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<String> samples = new ArrayList<>();
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(opt.channelWindow);
        Recorder answers = new Recorder(3);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (io.herald.client.HeraldClient client = io.herald.client.HeraldClient.builder()
                .uri(target.channelUri())
                .apiKey(target.apiKey)
                .maxInFlight(opt.channelWindow)
                .maxQueuedRequests(opt.channelWindow)
                .requestTimeout(Duration.ofSeconds(60))
                .build()) {
            for (long k = 0; k < max && System.nanoTime() <= deadline; k++) {
                long due = rate > 0 ? start + (long) (k * 1e9 / rate) : 0;
                if (rate > 0) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    SCHEDULED.set(due);
                }
                window.acquire();
                long asked = rate > 0 ? due : System.nanoTime();
                Push p = request.apply(k);
                long key = k;
                jakarta.json.JsonObject body = JSON.createReader(new java.io.StringReader(p.body())).readObject();
                client.request("POST", p.path().substring("/api".length()), body).whenComplete((answer, failure) -> {
                    answers.recordValue(Math.max(0, (System.nanoTime() - asked) / 1_000));
                    window.release();
                    if (failure == null && answer.ok()) {
                        accepted.incrementAndGet();
                        if (onAccepted != null) {
                            onAccepted.accept(key, String.valueOf(answer.body()));
                        }
                    } else {
                        errors.incrementAndGet();
                        sample(samples, failure != null ? failure.toString() : answer.status() + " " + answer.body());
                    }
                });
            }
            SCHEDULED.remove();
            if (!window.tryAcquire(opt.channelWindow, 120, TimeUnit.SECONDS)) {
                log("channel requests were still unanswered after 120 s");
            }
        }
        return new PushResult(accepted.get(), errors.get(), System.nanoTime() - start, samples,
                answers.getIntervalHistogram());
    }

    private static void sample(List<String> samples, String text) {
        synchronized (samples) {
            if (samples.size() < 5) {
                samples.add(text.length() > 200 ? text.substring(0, 200) : text);
            }
        }
    }

    /**
     * A storm's wait: until {@code clients} have caught up, or nothing more arrived for 20 s, or {@code max}
     * passed.
     */
    static void awaitCaughtUp(AtomicLong caughtUp, int clients, AtomicLong received, Duration max)
            throws InterruptedException {
        awaitWhileGrowing(() -> caughtUp.get() >= clients, received, Duration.ofSeconds(20), max);
    }

    /** Waits until {@code received} reaches {@code expected}, or it stops growing for idle, or max passes. */
    static void drain(AtomicLong received, long expected, Duration idle, Duration max) throws InterruptedException {
        awaitWhileGrowing(() -> received.get() >= expected, received, idle, max);
    }

    /** Waits until {@code done}, or until {@code received} has not grown for {@code idle}, or {@code max} passed. */
    private static void awaitWhileGrowing(BooleanSupplier done, AtomicLong received, Duration idle, Duration max)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            long now = received.get();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > idle.toNanos()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    // --------------------------------------------------------------------------------------------- unicast

    /** Checks unicast (or block) messages: for this client? Once? In seq order (durable)? Latency. */
    final class Checker implements Fleet.Sink {
        final int id;
        final int[] blockOf; // client index -> recipient key (itself, or its block for lists)
        final boolean durable;
        final BitSet[] got;
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final AtomicLong stray = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final Recorder latencies = new Recorder(3);

        Checker(int id, int[] blockOf, boolean durable) {
            this.id = id;
            this.blockOf = blockOf;
            this.durable = durable;
            this.got = new BitSet[fleet.size()];
        }

        @Override
        public void message(Fleet.Conn conn, String frame, long nanos) {
            int d = frame.indexOf("\"data\":");
            if (durable) {
                long seq = number(frame, "\"seq\":", 0);
                if (seq != Long.MIN_VALUE) {
                    if (seq > conn.lastSeq + 1) {
                        gaps.incrementAndGet();
                    }
                    if (seq > conn.lastSeq) {
                        conn.lastSeq = seq;
                    }
                    if (seq % 16 == 0) {
                        conn.ack(seq);
                    }
                }
            }
            if (d < 0 || number(frame, "\"x\":", d) != id) {
                stray.incrementAndGet();
                return;
            }
            long key = number(frame, "\"r\":", d);
            if (key != blockOf[conn.index]) {
                misrouted.incrementAndGet();
                return;
            }
            int n = (int) number(frame, "\"n\":", d);
            long ts = number(frame, "\"ts\":", d);
            BitSet seen = got[conn.index];
            if (seen == null) {
                seen = new BitSet();
                got[conn.index] = seen;
            }
            if (seen.get(n)) {
                duplicated.incrementAndGet();
                return;
            }
            seen.set(n);
            latencies.recordValue(Math.max(0, (nanos - ts) / 1000));
            received.incrementAndGet();
        }

        long distinct(int index) {
            BitSet seen = got[index];
            return seen == null ? 0 : seen.cardinality();
        }
    }

    /**
     * Pushes to single uids (or, with {@code block} > 1, to lists of {@code block} uids through the batch
     * endpoint) from {@code threads} pushers for {@code duration}; the recipients are the clients listed in
     * {@code eligible} (null: all). Records pushes/s, deliveries/s, latency, lost, duplicated, misrouted.
     */
    void unicast(Step step, boolean durable, int block, int[] eligible, Duration duration, boolean record)
            throws InterruptedException {
        unicast(step, durable, block, eligible, duration, record, 0);
    }

    /** As above, at a fixed {@code rate} of requests per second when it is > 0 (open loop). */
    void unicast(Step step, boolean durable, int block, int[] eligible, Duration duration, boolean record,
                 double rate) throws InterruptedException {
        unicast(step, durable, block, eligible, duration, record, rate, false);
    }

    /** As above; {@code channel}: the pushes go through the backend channel ({@link #pushOnChannel}). */
    void unicast(Step step, boolean durable, int block, int[] eligible, Duration duration, boolean record,
                 double rate, boolean channel) throws InterruptedException {
        int n = fleet.size();
        int[] recipients = eligible != null ? eligible : range(connectedCount());
        int id = SCENARIO_IDS.getAndIncrement();
        int blocks = block <= 1 ? recipients.length : (recipients.length + block - 1) / block;
        int[] keyOf = new int[n];
        java.util.Arrays.fill(keyOf, -1);
        for (int b = 0; b < blocks; b++) {
            if (block <= 1) {
                keyOf[recipients[b]] = b;
            } else {
                for (int j = b * block; j < Math.min(recipients.length, (b + 1) * block); j++) {
                    keyOf[recipients[j]] = b;
                }
            }
        }
        AtomicIntegerArray nextN = new AtomicIntegerArray(blocks);
        AtomicIntegerArray accepted = new AtomicIntegerArray(blocks);
        Checker checker = new Checker(id, keyOf, durable);
        Map<String, Long> countersBefore = serverCounters();
        fleet.register(id, checker);
        log("%s: %s for %ds (%s, %s, %s%s)", target.name, step, duration.toSeconds(),
                durable ? "durable" : "ephemeral", block <= 1 ? "single uid per request" : block + " uids per request",
                channel ? "the backend channel, " + opt.channelWindow + " in flight" : opt.pushers + " pushers",
                rate > 0 ? String.format(", paced at %,.0f/s", rate) : "");
        Proc.Meter meter = meter().start();
        long max = duration.toSeconds() * 400_000L;
        LongFunction<Push> requests = k -> {
            int b = (int) (k % blocks);
            int nn = nextN.getAndIncrement(b);
            if (block <= 1) {
                int idx = recipients[b];
                String data = "{\"x\":" + id + ",\"r\":" + b + ",\"n\":" + nn + ",\"ts\":" + stamp() + "}";
                return new Push(target.pushPath(Fleet.uid(idx)), target.pushBody(data, durable));
            }
            int from = b * block;
            int count = Math.min(block, recipients.length - from);
            String data = "{\"x\":" + id + ",\"r\":" + b + ",\"n\":" + nn + ",\"ts\":" + stamp() + "}";
            // recipients are consecutive indices when eligible is null; else name them one by one
            return new Push(target.batchPath(), eligible == null
                    ? target.batchBody(recipients[from], count, data, durable)
                    : batchOf(recipients, from, count, data, durable));
        };
        java.util.function.BiConsumer<Long, String> onAccepted = (k, body) -> accepted.incrementAndGet((int) (k % blocks));
        PushResult r = channel ? pushOnChannel(max, duration, rate, requests, onAccepted)
                : push(opt.pushers, max, duration, rate, requests, onAccepted);
        long expected = 0;
        for (int b = 0; b < blocks; b++) {
            int members = block <= 1 ? 1 : Math.min(block, recipients.length - b * block);
            expected += (long) accepted.get(b) * members;
        }
        drain(checker.received, expected, Duration.ofSeconds(opt.drainIdleSeconds), Duration.ofSeconds(120));
        Proc.Usage u = meter.stop();
        long receivedAtDrain = checker.received.get();
        if (durable) {
            acknowledgeAll(recipients);
        }
        long lost = missing(recipients, keyOf, accepted, checker);
        if (record) {
            settleLater(step, recipients, keyOf, accepted, checker, receivedAtDrain, false);
        }
        Histogram h = checker.latencies.getIntervalHistogram();
        if (record) {
            health(step, countersBefore);
        }
        if (!record) {
            log("%s: %s warm-up: %,d accepted, %,d errors", target.name, step, r.accepted(), r.errors());
            return;
        }
        double seconds = r.nanos() / 1e9;
        results.put(step, Measure.REQUESTS, (double) r.accepted());
        if (rate > 0) {
            results.put(step, Measure.TARGET_RATE, rate);
        }
        results.put(step, Measure.ERRORS, (double) r.errors());
        results.put(step, Measure.RATE, r.accepted() / seconds);
        results.put(step, Measure.DELIVERIES, (double) checker.received.get());
        results.put(step, Measure.DELIVERY_RATE, expected / seconds);
        results.put(step, Measure.EXPECTED, (double) expected);
        results.put(step, Measure.LOST, (double) lost);
        results.put(step, Measure.DUPLICATED, (double) checker.duplicated.get());
        results.put(step, Measure.MISROUTED, (double) checker.misrouted.get());
        results.put(step, Measure.STRAY, (double) checker.stray.get());
        if (durable) {
            results.put(step, Measure.GAPS, (double) checker.gaps.get());
        }
        if (block > 1) {
            results.put(step, Measure.BLOCK, (double) block);
        }
        latency(step, h);
        if (r.answers() != null) {
            latency(step, r.answers(), Measure.ANSWER_P50_MS, Measure.ANSWER_P99_MS, Measure.ANSWER_MAX_MS);
        }
        usage(step, u, block <= 1 ? r.accepted() : expected);
        if (!r.sampleErrors().isEmpty()) {
            results.put(step, Measure.ERROR_SAMPLES, String.join(" | ", r.sampleErrors()));
        }
        log("%s: %s %,d requests (%,.0f/s), %,d deliveries expected, %,d received; p50 %.2f p99 %.2f max %.1f ms; "
                        + "lost %d dup %d misrouted %d errors %d; server %.2f cores, generator %.2f, db %.2f, machine %.2f; %s",
                target.name, step, r.accepted(), r.accepted() / seconds, expected, checker.received.get(),
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3,
                lost, checker.duplicated.get(), checker.misrouted.get(), r.errors(), u.serverCores(),
                u.generatorCores(), u.dbCores(), u.machineCores(), r.sampleErrors());
        if (r.answers() != null && r.answers().getTotalCount() > 0) {
            log("%s: %s answers p50 %.2f p99 %.2f max %.1f ms", target.name, step,
                    r.answers().getValueAtPercentile(50) / 1e3, r.answers().getValueAtPercentile(99) / 1e3,
                    r.answers().getMaxValue() / 1e3);
        }
    }

    /**
     * Batches of distinct messages ({@code POST /api/messages/batch}; the reference: {@code POST /batch}): each
     * request carries {@code size} messages, one per uid, round robin over the clients (request k covers
     * clients k·size … k·size + size − 1, modulo their number), each payload with its own recipient and number,
     * so that the same checker counts lost, duplicated, misrouted and (durable) gaps. Durable: stored before the
     * 202, clients check seqs and ack, Herald only. Ephemeral ({@code "durable": false}): sent at once, no seqs.
     * Records messages/s, latency from the request's stamp to each frame, server (and database) CPU per message.
     */
    void distinctBatch(Step step, int size, boolean durable, Duration duration, boolean record)
            throws InterruptedException {
        int[] recipients = range(connectedCount());
        int clients = recipients.length;
        int id = SCENARIO_IDS.getAndIncrement();
        int[] keyOf = new int[fleet.size()];
        java.util.Arrays.fill(keyOf, -1);
        for (int i = 0; i < clients; i++) {
            keyOf[i] = i;
        }
        AtomicIntegerArray nextN = new AtomicIntegerArray(clients);
        AtomicIntegerArray accepted = new AtomicIntegerArray(clients);
        Checker checker = new Checker(id, keyOf, durable);
        Map<String, Long> countersBefore = serverCounters();
        fleet.register(id, checker);
        log("%s: %s for %ds (%s, %d distinct messages per request, %d pushers)", target.name, step,
                duration.toSeconds(), durable ? "durable" : "ephemeral", size, opt.pushers);
        // Durable is Herald's default; the reference knows no such field.
        String end = durable || !target.heraldApi() ? "]}" : "],\"durable\":false}";
        Proc.Meter meter = meter().start();
        long max = duration.toSeconds() * 20_000L;
        PushResult r = push(opt.pushers, max, duration, k -> {
            long ts = stamp();
            StringBuilder body = new StringBuilder(size * 80 + 32).append("{\"messages\":[");
            for (int j = 0; j < size; j++) {
                int i = (int) ((k * size + j) % clients);
                int n = nextN.getAndIncrement(i);
                body.append(j == 0 ? "" : ",").append("{\"uid\":\"").append(Fleet.uid(recipients[i]))
                        .append("\",\"data\":{\"x\":").append(id).append(",\"r\":").append(i).append(",\"n\":")
                        .append(n).append(",\"ts\":").append(ts).append("}}");
            }
            return new Push(target.messagesBatchPath(), body.append(end).toString());
        }, (k, answer) -> {
            for (int j = 0; j < size; j++) {
                accepted.incrementAndGet((int) ((k * size + j) % clients));
            }
        });
        long expected = r.accepted() * size;
        drain(checker.received, expected, Duration.ofSeconds(opt.drainIdleSeconds), Duration.ofSeconds(120));
        Proc.Usage u = meter.stop();
        long receivedAtDrain = checker.received.get();
        if (durable) {
            acknowledgeAll(recipients);
        }
        Histogram h = checker.latencies.getIntervalHistogram();
        if (!record) {
            log("%s: %s warm-up: %,d requests accepted, %,d errors", target.name, step, r.accepted(), r.errors());
            return;
        }
        health(step, countersBefore);
        long lost = missing(recipients, keyOf, accepted, checker);
        settleLater(step, recipients, keyOf, accepted, checker, receivedAtDrain, durable);
        double seconds = r.nanos() / 1e9;
        results.put(step, Measure.BLOCK, (double) size);
        results.put(step, Measure.REQUESTS, (double) r.accepted());
        results.put(step, Measure.REQUEST_RATE, r.accepted() / seconds);
        results.put(step, Measure.RATE, expected / seconds);
        results.put(step, Measure.ERRORS, (double) r.errors());
        results.put(step, Measure.EXPECTED, (double) expected);
        results.put(step, Measure.DELIVERIES, (double) checker.received.get());
        results.put(step, Measure.LOST, (double) lost);
        results.put(step, Measure.DUPLICATED, (double) checker.duplicated.get());
        results.put(step, Measure.MISROUTED, (double) checker.misrouted.get());
        results.put(step, Measure.STRAY, (double) checker.stray.get());
        if (durable) {
            results.put(step, Measure.GAPS, (double) checker.gaps.get());
        }
        latency(step, h);
        usage(step, u, expected);
        if (!r.sampleErrors().isEmpty()) {
            results.put(step, Measure.ERROR_SAMPLES, String.join(" | ", r.sampleErrors()));
        }
        log("%s: %s %,d requests (%,.0f/s), %,d messages (%,.0f/s), %,d received; p50 %.2f p99 %.2f max %.1f ms; "
                        + "lost %d dup %d misrouted %d gaps %d errors %d; server %.2f cores (%.1f us/message), "
                        + "db %.2f, generator %.2f, machine %.2f; %s",
                target.name, step, r.accepted(), r.accepted() / seconds, expected, expected / seconds,
                checker.received.get(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3, lost, checker.duplicated.get(), checker.misrouted.get(), checker.gaps.get(),
                r.errors(), u.serverCores(), u.serverNanos() / 1e3 / Math.max(1, expected), u.dbCores(),
                u.generatorCores(), u.machineCores(), r.sampleErrors());
    }

    /** Acknowledges, for each recipient, everything it received (the durable scenarios' clients). */
    private void acknowledgeAll(int[] recipients) {
        for (int i : recipients) {
            Fleet.Conn c = fleet.conn(i);
            if (c != null && c.lastSeq > c.ackedSeq) {
                c.ack(c.lastSeq);
            }
        }
    }

    /**
     * Messages still on their way when the drain gave up are not lost if they arrive later in the run: the
     * checker keeps counting, and these figures are settled at the end of the server's run ({@link #finish}).
     */
    private void settleLater(Step step, int[] recipients, int[] keyOf, AtomicIntegerArray accepted,
                             Checker checker, long receivedAtDrain, boolean gaps) {
        finishers.add(() -> {
            results.put(step, Measure.LOST, (double) missing(recipients, keyOf, accepted, checker));
            results.put(step, Measure.TO_CLOSED, (double) missing(recipients, keyOf, accepted, checker, true));
            results.put(step, Measure.LATE, (double) (checker.received.get() - receivedAtDrain));
            results.put(step, Measure.DUPLICATED, (double) checker.duplicated.get());
            results.put(step, Measure.MISROUTED, (double) checker.misrouted.get());
            if (gaps) {
                results.put(step, Measure.GAPS, (double) checker.gaps.get());
            }
        });
    }

    /** Messages accepted for live recipients and not received; those for closed clients are counted apart. */
    private long missing(int[] recipients, int[] keyOf, AtomicIntegerArray accepted, Checker checker) {
        return missing(recipients, keyOf, accepted, checker, false);
    }

    private long missing(int[] recipients, int[] keyOf, AtomicIntegerArray accepted, Checker checker, boolean closedOnes) {
        long lost = 0;
        for (int i : recipients) {
            if (fleet.closed(i) == closedOnes) {
                lost += Math.max(0, accepted.get(keyOf[i]) - checker.distinct(i));
            }
        }
        return lost;
    }

    final List<Runnable> finishers = new ArrayList<>();

    /** Settles lost/late figures once nothing more is on its way (call before closing the clients). */
    void finish() throws InterruptedException {
        Thread.sleep(3000);
        finishers.forEach(Runnable::run);
        finishers.clear();
        results.put(Step.FLEET, Measure.STRAY_MESSAGES, (double) fleet.strays.get());
        results.put(Step.FLEET, Measure.UNEXPECTED_CLOSES, (double) fleet.unexpectedCloses.get());
        if (!fleet.closeCodes.isEmpty()) {
            results.put(Step.FLEET, Measure.CLOSE_CODES, fleet.closeCodes.toString());
        }
        log("%s: settled; stray messages %d, unexpected closes %d %s", target.name, fleet.strays.get(),
                fleet.unexpectedCloses.get(), fleet.closeCodes);
    }

    private String batchOf(int[] recipients, int from, int count, String data, boolean durable) {
        StringBuilder body = new StringBuilder("{\"to\":{\"uids\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append('"').append(Fleet.uid(recipients[from + i])).append('"');
        }
        body.append("]},\"data\":").append(data);
        if (target.heraldApi() && !durable) {
            body.append(",\"durable\":false");
        }
        return body.append('}').toString();
    }

    int connectedCount() {
        return connected > 0 ? connected : fleet.size();
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    static int[] where(int n, IntUnaryOperator keep) {
        return java.util.stream.IntStream.range(0, n).filter(i -> keep.applyAsInt(i) != 0).toArray();
    }

    // ------------------------------------------------------------------------------------------- broadcast

    final class BroadcastChecker implements Fleet.Sink {
        final int id;
        final int total;
        final AtomicIntegerArray count;
        final AtomicLongArray last;
        final long[] sent;
        final BitSet[] got;
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong stray = new AtomicLong();
        final Recorder latencies = new Recorder(3);

        BroadcastChecker(int id, int total) {
            this.id = id;
            this.total = total;
            count = new AtomicIntegerArray(total);
            last = new AtomicLongArray(total);
            sent = new long[total];
            got = new BitSet[fleet.size()];
        }

        @Override
        public void message(Fleet.Conn conn, String frame, long nanos) {
            int d = frame.indexOf("\"data\":");
            if (d < 0 || number(frame, "\"x\":", d) != id) {
                stray.incrementAndGet();
                return;
            }
            int b = (int) number(frame, "\"b\":", d);
            long ts = number(frame, "\"ts\":", d);
            BitSet seen = got[conn.index];
            if (seen == null) {
                seen = new BitSet(total);
                got[conn.index] = seen;
            }
            if (b < 0 || b >= total || seen.get(b)) {
                duplicated.incrementAndGet();
                return;
            }
            seen.set(b);
            count.incrementAndGet(b);
            last.accumulateAndGet(b, nanos, Math::max);
            latencies.recordValue(Math.max(0, (nanos - ts) / 1000));
            received.incrementAndGet();
        }
    }

    /**
     * Single broadcasts one at a time (time to the last client), then a burst of broadcasts back to back
     * (deliveries/s, server CPU per delivery, time to the last client of the burst).
     */
    void broadcast(int singles, int burst) throws InterruptedException, IOException {
        int clients = connectedCount();
        int id = SCENARIO_IDS.getAndIncrement();
        int total = singles + burst;
        BroadcastChecker checker = new BroadcastChecker(id, total);
        Map<String, Long> countersBefore = serverCounters();
        fleet.register(id, checker);
        log("%s: broadcast, %d single then a burst of %d, to %,d clients", target.name, singles, burst, clients);
        Histogram toLast = new Histogram(3);
        try (Http http = target.http()) {
            for (int b = 0; b < singles; b++) {
                long ts = System.nanoTime();
                checker.sent[b] = ts;
                int status = http.post(target.broadcastPath(),
                        target.broadcastBody("{\"x\":" + id + ",\"b\":" + b + ",\"ts\":" + ts + "}")).status();
                if (status / 100 != 2) {
                    log("broadcast answered %d", status);
                    continue;
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (checker.count.get(b) < clients && System.nanoTime() < end) {
                    Thread.sleep(2);
                }
                if (checker.count.get(b) > 0) {
                    toLast.recordValue((checker.last.get(b) - ts) / 1000);
                }
                Thread.sleep(200);
            }
            results.put(Step.BROADCAST_SINGLE, Measure.CLIENTS, (double) clients);
            results.put(Step.BROADCAST_SINGLE, Measure.TO_LAST_P50_MS, toLast.getValueAtPercentile(50) / 1e3);
            results.put(Step.BROADCAST_SINGLE, Measure.TO_LAST_MAX_MS, toLast.getMaxValue() / 1e3);
            Histogram singleLatency = checker.latencies.getIntervalHistogram();
            latency(Step.BROADCAST_SINGLE, singleLatency);

            Proc.Meter meter = meter().start();
            long first = System.nanoTime();
            int accepted = 0;
            for (int b = singles; b < total; b++) {
                long ts = System.nanoTime();
                checker.sent[b] = ts;
                int status = http.post(target.broadcastPath(),
                        target.broadcastBody("{\"x\":" + id + ",\"b\":" + b + ",\"ts\":" + ts + "}")).status();
                if (status / 100 == 2) {
                    accepted++;
                }
            }
            long sendEnd = System.nanoTime();
            long expected = (long) singles * clients + (long) accepted * clients;
            drain(checker.received, expected, Duration.ofSeconds(opt.drainIdleSeconds), Duration.ofSeconds(180));
            Proc.Usage u = meter.stop();
            long lastReceipt = 0;
            for (int b = singles; b < total; b++) {
                lastReceipt = Math.max(lastReceipt, checker.last.get(b));
            }
            long burstDeliveries = 0;
            for (int b = singles; b < total; b++) {
                burstDeliveries += checker.count.get(b);
            }
            double seconds = (lastReceipt - first) / 1e9;
            Histogram burstLatency = checker.latencies.getIntervalHistogram();
            results.put(Step.BROADCAST, Measure.BROADCASTS, (double) accepted);
            results.put(Step.BROADCAST, Measure.CLIENTS, (double) clients);
            results.put(Step.BROADCAST, Measure.DELIVERIES, (double) burstDeliveries);
            results.put(Step.BROADCAST, Measure.RATE, burstDeliveries / seconds);
            results.put(Step.BROADCAST, Measure.TO_LAST_MS, seconds * 1e3);
            results.put(Step.BROADCAST, Measure.SEND_MS, (sendEnd - first) / 1e6);
            results.put(Step.BROADCAST, Measure.LOST, (double) (expected - checker.received.get()));
            long receivedAtDrain = checker.received.get();
            final int posted = singles + accepted; // every client should get each of these once
            finishers.add(() -> {
                long lost = 0;
                long toClosed = 0;
                for (int i = 0; i < clients; i++) {
                    BitSet seen = checker.got[i];
                    long missing = posted - (seen == null ? 0 : seen.cardinality());
                    if (fleet.closed(i)) {
                        toClosed += missing;
                    } else {
                        lost += missing;
                    }
                }
                results.put(Step.BROADCAST, Measure.LOST, (double) lost);
                results.put(Step.BROADCAST, Measure.TO_CLOSED, (double) toClosed);
                results.put(Step.BROADCAST, Measure.LATE, (double) (checker.received.get() - receivedAtDrain));
                results.put(Step.BROADCAST, Measure.DUPLICATED, (double) checker.duplicated.get());
            });
            results.put(Step.BROADCAST, Measure.DUPLICATED, (double) checker.duplicated.get());
            results.put(Step.BROADCAST, Measure.STRAY, (double) checker.stray.get());
            latency(Step.BROADCAST, burstLatency);
            usage(Step.BROADCAST, u, burstDeliveries);
            health(Step.BROADCAST, countersBefore);
            log("%s: broadcast single: to last client p50 %.1f ms max %.1f ms; burst %d x %,d: %,.0f deliveries/s, "
                            + "last client after %.0f ms, lost %d dup %d; server %.2f cores (%.2f us/delivery), generator %.2f, machine %.2f",
                    target.name, toLast.getValueAtPercentile(50) / 1e3, toLast.getMaxValue() / 1e3, accepted, clients,
                    burstDeliveries / seconds, seconds * 1e3, expected - checker.received.get(), checker.duplicated.get(),
                    u.serverCores(), u.serverNanos() / 1e3 / Math.max(1, burstDeliveries), u.generatorCores(), u.machineCores());
        } finally {
            fleet.sink = Fleet.IGNORE;
        }
    }

    // ---------------------------------------------------------------------------------------- resume storm

    final class ResumeChecker implements Fleet.Sink {
        final int id;
        final int backlog;
        final long[] since;
        final int[] blockOf;
        final AtomicIntegerArray count;
        final BitSet[] got;
        final AtomicLong received = new AtomicLong();
        final AtomicLong caughtUp = new AtomicLong();
        final AtomicLong lastCatchUp = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong stray = new AtomicLong();
        final AtomicLong unrecovered = new AtomicLong();
        final AtomicLong replays = new AtomicLong();

        ResumeChecker(int id, int backlog, long[] since, int[] blockOf) {
            this.id = id;
            this.backlog = backlog;
            this.since = since;
            this.blockOf = blockOf;
            count = new AtomicIntegerArray(since.length);
            got = new BitSet[since.length];
        }

        @Override
        public void replay(Fleet.Conn conn, String frame, long nanos) {
            replays.incrementAndGet();
            if (!frame.contains("\"recovered\":true") || number(frame, "\"since\":", 0) != since[conn.index]) {
                unrecovered.incrementAndGet();
            }
        }

        @Override
        public void message(Fleet.Conn conn, String frame, long nanos) {
            int i = conn.index;
            long seq = number(frame, "\"seq\":", 0);
            if (seq != conn.lastSeq + 1) {
                gaps.incrementAndGet();
            }
            if (seq > conn.lastSeq) {
                conn.lastSeq = seq;
            }
            if (seq % 50 == 0) {
                conn.ack(seq);
            }
            int d = frame.indexOf("\"data\":");
            if (d < 0 || number(frame, "\"x\":", d) != id) {
                stray.incrementAndGet();
                return;
            }
            if (number(frame, "\"r\":", d) != blockOf[i]) {
                misrouted.incrementAndGet();
                return;
            }
            int n = (int) number(frame, "\"n\":", d);
            BitSet seen = got[i];
            if (seen == null) {
                seen = new BitSet(backlog);
                got[i] = seen;
            }
            if (seen.get(n)) {
                duplicated.incrementAndGet();
                return;
            }
            seen.set(n);
            received.incrementAndGet();
            if (count.incrementAndGet(i) == backlog) {
                caughtUp.incrementAndGet();
                lastCatchUp.accumulateAndGet(nanos, Math::max);
                conn.ack(seq);
            }
        }
    }

    /**
     * The first {@code clients} clients drop their connections; {@code backlog} durable messages are stored
     * for each of their uids (through the list endpoint); then all reconnect at once with {@code ?since=}
     * their last seq, and the tool waits until every one has its whole backlog, in order, once.
     */
    void resumeStorm(int requested, int backlog, int block) throws Exception {
        final int clients = Math.min(requested, connectedCount());
        int id = SCENARIO_IDS.getAndIncrement();
        long[] since = new long[clients];
        for (int i = 0; i < clients; i++) {
            Fleet.Conn c = fleet.conn(i);
            since[i] = c == null ? 0 : c.lastSeq;
        }
        log("%s: resume storm: %,d clients drop, %d durable messages each are stored, all reconnect at once",
                target.name, clients, backlog);
        for (int i = 0; i < clients; i++) {
            Fleet.Conn c = fleet.conn(i);
            if (c != null) {
                c.expectClose = true;
                if (c.ws != null) {
                    c.ws.abort();
                }
            }
        }
        int remaining = connectedCount() - clients;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int online = -1;
        while (System.nanoTime() < end) {
            online = onlineClients();
            if (online <= remaining) {
                break;
            }
            Thread.sleep(250);
        }
        log("%s: %d clients online after the drop", target.name, online);

        int blocks = (clients + block - 1) / block;
        int[] blockOf = new int[fleet.size()];
        for (int i = 0; i < clients; i++) {
            blockOf[i] = i / block;
        }
        long requests = (long) blocks * backlog;
        Proc.Meter storeMeter = meter().start();
        AtomicLong storedCount = new AtomicLong();
        PushResult stored = push(opt.pushers, requests, Duration.ofSeconds(opt.backlogTimeoutSeconds), k -> {
            int b = (int) (k % blocks);
            int round = (int) (k / blocks);
            int from = b * block;
            int count = Math.min(block, clients - from);
            String data = "{\"x\":" + id + ",\"r\":" + b + ",\"n\":" + round + ",\"ts\":" + stamp() + "}";
            return new Push(target.batchPath(), target.batchBody(from, count, data, true));
        }, (k, body) -> storedCount.addAndGet(Math.min(block, clients - (int) (k % blocks) * block)));
        Proc.Usage su = storeMeter.stop();
        long storedMessages = storedCount.get();
        results.put(Step.RESUME, Measure.CLIENTS, (double) clients);
        results.put(Step.RESUME, Measure.BACKLOG, (double) backlog);
        results.put(Step.RESUME, Measure.STORE_REQUESTS, (double) stored.accepted());
        results.put(Step.RESUME, Measure.STORE_ERRORS, (double) stored.errors());
        results.put(Step.RESUME, Measure.STORE_RATE, storedMessages / (stored.nanos() / 1e9));
        results.put(Step.RESUME, Measure.STORE_SECONDS, stored.nanos() / 1e9);
        usage(Step.RESUME_STORE, su, storedMessages);
        log("%s: stored %,d durable messages in %.1f s (%,.0f/s, %d uids per request), %d errors %s", target.name,
                storedMessages, stored.nanos() / 1e9, storedMessages / (stored.nanos() / 1e9), block, stored.errors(),
                stored.sampleErrors());

        ResumeChecker checker = new ResumeChecker(id, backlog, since, blockOf);
        Map<String, Long> countersBefore = serverCounters();
        fleet.register(id, checker);
        Proc.Meter meter = meter().start();
        long start = System.nanoTime();
        Fleet.ConnectResult r = fleet.connect(0, clients, i -> target.wsUrl(i, since[i]),
                Math.min(clients, opt.stormInFlight), Duration.ofSeconds(opt.connectTimeoutSeconds),
                conn -> conn.lastSeq = since[conn.index]);
        long connected = System.nanoTime();
        awaitCaughtUp(checker.caughtUp, r.opened(), checker.received, Duration.ofSeconds(opt.stormTimeoutSeconds));
        Proc.Usage u = meter.stop();
        long receivedAtEnd = checker.received.get();
        long expected = (long) r.opened() * backlog;
        double seconds = (Math.max(checker.lastCatchUp.get(), start) - start) / 1e9;
        long lost = 0;
        for (int i = 0; i < clients; i++) {
            lost += backlog - checker.count.get(i);
        }
        results.put(Step.RESUME, Measure.RECONNECTED, (double) r.opened());
        results.put(Step.RESUME, Measure.RECONNECT_FAILED, (double) r.failed());
        results.put(Step.RESUME, Measure.CONNECT_SECONDS, (connected - start) / 1e9);
        results.put(Step.RESUME, Measure.CAUGHT_UP, (double) checker.caughtUp.get());
        results.put(Step.RESUME, Measure.SECONDS, seconds);
        results.put(Step.RESUME, Measure.RATE, checker.received.get() / Math.max(1e-9, seconds));
        results.put(Step.RESUME, Measure.EXPECTED, (double) expected);
        results.put(Step.RESUME, Measure.RECEIVED, (double) checker.received.get());
        results.put(Step.RESUME, Measure.LOST, (double) lost);
        results.put(Step.RESUME, Measure.DUPLICATED, (double) checker.duplicated.get());
        results.put(Step.RESUME, Measure.MISROUTED, (double) checker.misrouted.get());
        results.put(Step.RESUME, Measure.GAPS, (double) checker.gaps.get());
        results.put(Step.RESUME, Measure.STRAY, (double) checker.stray.get());
        results.put(Step.RESUME, Measure.UNRECOVERED, (double) checker.unrecovered.get());
        results.put(Step.RESUME, Measure.REPLAYS, (double) checker.replays.get());
        usage(Step.RESUME, u, checker.received.get());
        health(Step.RESUME, countersBefore);
        finishers.add(() -> {
            long missing = 0;
            for (int i = 0; i < clients; i++) {
                missing += backlog - checker.count.get(i);
            }
            results.put(Step.RESUME, Measure.LOST, (double) missing);
            results.put(Step.RESUME, Measure.LATE, (double) (checker.received.get() - receivedAtEnd));
            results.put(Step.RESUME, Measure.DUPLICATED, (double) checker.duplicated.get());
            results.put(Step.RESUME, Measure.GAPS, (double) checker.gaps.get());
        });
        log("%s: resume storm: %,d reconnected (%d failed) in %.1f s; %,d of %,d caught up after %.1f s; %,.0f msgs/s; "
                        + "lost %d dup %d gaps %d misrouted %d unrecovered %d; server %.2f cores, db %.2f, generator %.2f",
                target.name, r.opened(), r.failed(), (connected - start) / 1e9, checker.caughtUp.get(), clients, seconds,
                checker.received.get() / Math.max(1e-9, seconds), lost, checker.duplicated.get(), checker.gaps.get(),
                checker.misrouted.get(), checker.unrecovered.get(), u.serverCores(), u.dbCores(), u.generatorCores());
    }

    /** Herald's counters (GET /api/stats) that tell why a message did not arrive; empty for the reference. */
    Map<String, Long> serverCounters() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (!target.herald()) {
            return out;
        }
        try (Http http = target.http()) {
            String body = http.get(target.statsPath()).body();
            for (String k : List.of("clients", "messagesOut", "sendFailures", "slowConsumerCloses", "heartbeatCloses")) {
                long v = number(body, "\"" + k + "\":", 0);
                if (v != Long.MIN_VALUE) {
                    out.put(k, v);
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return out;
    }

    /** Logs and records what went wrong on the connections during a scenario. */
    void health(Step step, Map<String, Long> before) {
        Map<String, Long> after = serverCounters();
        StringBuilder text = new StringBuilder();
        Map<String, Measure> counters = Map.of("sendFailures", Measure.SERVER_SEND_FAILURES,
                "slowConsumerCloses", Measure.SERVER_SLOW_CONSUMER_CLOSES, "heartbeatCloses", Measure.SERVER_HEARTBEAT_CLOSES);
        for (String k : List.of("sendFailures", "slowConsumerCloses", "heartbeatCloses")) {
            if (after.containsKey(k) && before.containsKey(k)) {
                long d = after.get(k) - before.get(k);
                results.put(step, counters.get(k), (double) d);
                text.append(k).append(' ').append(d).append(", ");
            }
        }
        if (after.containsKey("clients")) {
            results.put(step, Measure.SERVER_CLIENTS_AFTER, (double) after.get("clients"));
            text.append("clients online ").append(after.get("clients")).append(", ");
        }
        text.append("unexpected client closes so far ").append(fleet.unexpectedCloses.get()).append(' ').append(fleet.closeCodes)
                .append(", client pongs ").append(fleet.pongsSent.get()).append(", client pings ").append(fleet.pingsSent.get())
                .append(", failed client sends ").append(fleet.sendFailures.get());
        log("%s: %s: %s", target.name, step, text);
    }

    int onlineClients() {
        try (Http http = target.http()) {
            String body = http.get(target.statsPath()).body();
            return (int) number(body, "\"clients\":", 0);
        } catch (IOException e) {
            return -1;
        }
    }
}
