package io.herald.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's load besides the pushes, each a loop on its own thread until {@link #stop}: connection churn
 * (clients that drop and resume with {@code since}), visitors (clients of fresh uids that connect once and
 * leave, so that presence webhooks fire and per-uid state has to be let go), transient group joins and
 * leaves through REST, and the clients' acknowledgements.
 */
final class SoakLoad {

    static final String VISITOR_PREFIX = "soak-v";
    static final String TRANSIENT_GROUP = "soak-t";
    static final int TRANSIENT_GROUPS = 100;
    /** A churned client stays away this long: under the offline delay (5 s), so its uid stays online. */
    static final long AWAY_MILLIS = 2000;
    static final long VISIT_MILLIS = 3000;
    static final long MEMBERSHIP_MILLIS = 5000;
    private static final int VISITOR_SLOTS = 64;

    private final Target target;
    private final Fleet fleet;
    private final Fleet visitors;
    private final int stable;
    private final int churnPerSecond;
    private final int visitorsPerSecond;
    private final int joinsPerSecond;
    private volatile boolean running = true;

    final AtomicLong churnCloses = new AtomicLong();
    final AtomicLong churnReconnects = new AtomicLong();
    final AtomicLong churnFailures = new AtomicLong();
    final AtomicLong visitorsOpened = new AtomicLong();
    final AtomicLong visitorsFailed = new AtomicLong();
    final AtomicLong visitorsClosed = new AtomicLong();
    final AtomicLong joins = new AtomicLong();
    final AtomicLong joinsOfGone = new AtomicLong();
    final AtomicLong leaves = new AtomicLong();
    final AtomicLong restErrors = new AtomicLong();
    final AtomicLong acksSent = new AtomicLong();
    /** The visitors' uids that connected (their presence webhooks are checked against these). */
    final Set<String> visitorUids = ConcurrentHashMap.newKeySet();
    volatile long lastVisitorClose;

    SoakLoad(Target target, Fleet fleet, Fleet visitors, int stable, int churnPerSecond, int visitorsPerSecond,
             int joinsPerSecond) {
        this.target = target;
        this.fleet = fleet;
        this.visitors = visitors;
        this.stable = stable;
        this.churnPerSecond = churnPerSecond;
        this.visitorsPerSecond = visitorsPerSecond;
        this.joinsPerSecond = joinsPerSecond;
    }

    static Fleet visitorFleet() {
        return new Fleet(VISITOR_SLOTS, 1, 2);
    }

    void stop() {
        running = false;
    }

    // ------------------------------------------------------------------------------------------------ churn

    private record Away(int index, long since) {
    }

    /**
     * Every second, the next few clients of the churned range (the fleet's last fifth) close, gracefully
     * (1000) one second and abruptly (no close frame) the next; each reconnects {@link #AWAY_MILLIS} later
     * with {@code since} its last seq and must get every durable message it missed, once, in order. At the
     * end every one still away reconnects.
     */
    void churn() throws InterruptedException {
        int churned = fleet.size() - stable;
        if (churned <= 0 || churnPerSecond <= 0) {
            return;
        }
        Deque<Away> away = new ArrayDeque<>();
        int next = 0;
        boolean graceful = true;
        long tick = System.nanoTime();
        while (running) {
            for (int j = 0; j < Math.min(churnPerSecond, churned); j++) {
                int i = stable + next++ % churned;
                Fleet.Conn c = fleet.conn(i);
                // A client whose last reconnect failed has nothing to close: it only tries again below.
                if (c != null && c.ws != null) {
                    c.expectClose = true;
                    if (graceful) {
                        c.ws.sendClose(1000, "soak");
                    } else {
                        c.ws.abort();
                    }
                    churnCloses.incrementAndGet();
                }
                away.add(new Away(i, System.currentTimeMillis()));
            }
            graceful = !graceful;
            while (!away.isEmpty() && away.peek().since() + AWAY_MILLIS <= System.currentTimeMillis()) {
                reconnect(away.poll().index());
            }
            tick += TimeUnit.SECONDS.toNanos(1);
            sleepUntil(tick);
        }
        while (!away.isEmpty()) {
            reconnect(away.poll().index());
        }
    }

    private void reconnect(int i) throws InterruptedException {
        Fleet.Conn old = fleet.conn(i);
        if (old == null) {
            return;
        }
        if (old.ws != null) {
            // After a graceful close the server's close frame has long arrived; abort() makes sure no frame
            // reaches the old listener after its last seq is read.
            old.ws.abort();
        }
        long since = old.lastSeq;
        long acked = old.ackedSeq;
        Fleet.ConnectResult r = fleet.connect(i, i + 1, x -> target.wsUrl(x, since), 1, Duration.ofSeconds(30),
                c -> {
                    c.lastSeq = since;
                    c.ackedSeq = acked;
                });
        if (r.opened() == 1) {
            churnReconnects.incrementAndGet();
        } else {
            churnFailures.incrementAndGet();
        }
    }

    /** Reconnects every client of the fleet whose connection is not open (after the load, before the tally). */
    int reconnectClosed() throws InterruptedException {
        int done = 0;
        for (int i = 0; i < fleet.size(); i++) {
            Fleet.Conn c = fleet.conn(i);
            if (c != null && (c.ws == null || c.closed || c.ws.isInputClosed())) {
                c.expectClose = true;
                reconnect(i);
                done++;
            }
        }
        return done;
    }

    // --------------------------------------------------------------------------------------------- visitors

    private record Visit(int slot, long since) {
    }

    /** Every second, a few clients of uids never seen before connect; each leaves {@link #VISIT_MILLIS} later. */
    void visitors() throws InterruptedException {
        if (visitorsPerSecond <= 0) {
            return;
        }
        Deque<Visit> open = new ArrayDeque<>();
        long counter = 0;
        int slot = 0;
        boolean graceful = true;
        long tick = System.nanoTime();
        while (running) {
            for (int v = 0; v < visitorsPerSecond; v++) {
                String uid = VISITOR_PREFIX + counter++;
                int s = slot++ % VISITOR_SLOTS;
                Fleet.Conn previous = visitors.conn(s);
                if (previous != null && previous.ws != null) {
                    previous.expectClose = true;
                    previous.ws.abort();
                }
                Fleet.ConnectResult r = visitors.connect(s, s + 1,
                        x -> target.heraldWsUrl(target.wsPorts[0], uid), 1, Duration.ofSeconds(30));
                if (r.opened() == 1) {
                    visitorsOpened.incrementAndGet();
                    visitorUids.add(uid);
                    open.add(new Visit(s, System.currentTimeMillis()));
                } else {
                    visitorsFailed.incrementAndGet();
                }
            }
            while (!open.isEmpty() && open.peek().since() + VISIT_MILLIS <= System.currentTimeMillis()) {
                leave(open.poll().slot(), graceful);
                graceful = !graceful;
            }
            tick += TimeUnit.SECONDS.toNanos(1);
            sleepUntil(tick);
        }
        while (!open.isEmpty()) {
            leave(open.poll().slot(), true);
        }
    }

    private void leave(int slot, boolean graceful) {
        Fleet.Conn c = visitors.conn(slot);
        if (c == null || c.ws == null) {
            return;
        }
        c.expectClose = true;
        if (graceful) {
            c.ws.sendClose(1000, "bye");
        } else {
            c.ws.abort();
        }
        visitorsClosed.incrementAndGet();
        lastVisitorClose = System.currentTimeMillis();
    }

    // ------------------------------------------------------------------------------------------ group joins

    private record Membership(String path, long since) {
    }

    /**
     * Through REST, random clients of the fleet join one of {@value #TRANSIENT_GROUPS} transient groups and
     * leave it {@link #MEMBERSHIP_MILLIS} later (a client closed meanwhile left by itself: its join or leave
     * may answer 404). Groups appear and empty all the time: {@code group.emptied} webhooks.
     */
    void joins() throws InterruptedException {
        if (joinsPerSecond <= 0) {
            return;
        }
        Random random = new Random(19);
        Deque<Membership> members = new ArrayDeque<>();
        int perTick = Math.max(1, joinsPerSecond / 10);
        long tick = System.nanoTime();
        try (Http http = target.http()) {
            while (running) {
                for (int j = 0; j < perTick; j++) {
                    Fleet.Conn c = fleet.conn(random.nextInt(fleet.size()));
                    String clientId = c == null ? null : c.clientId;
                    if (clientId == null) {
                        continue;
                    }
                    String path = "/api/groups/" + TRANSIENT_GROUP + random.nextInt(TRANSIENT_GROUPS) + "/clients/" + clientId;
                    int status = call(http, path, true);
                    if (status == 204) {
                        joins.incrementAndGet();
                        members.add(new Membership(path, System.currentTimeMillis()));
                    } else if (status == 404) {
                        joinsOfGone.incrementAndGet();
                    } else {
                        restErrors.incrementAndGet();
                    }
                }
                while (!members.isEmpty() && members.peek().since() + MEMBERSHIP_MILLIS <= System.currentTimeMillis()) {
                    leaveGroup(http, members.poll().path());
                }
                tick += TimeUnit.MILLISECONDS.toNanos(100);
                sleepUntil(tick);
            }
            while (!members.isEmpty()) {
                leaveGroup(http, members.poll().path());
            }
        }
    }

    private void leaveGroup(Http http, String path) {
        int status = call(http, path, false);
        if (status == 204 || status == 404) {
            leaves.incrementAndGet();
        } else {
            restErrors.incrementAndGet();
        }
    }

    private static int call(Http http, String path, boolean join) {
        try {
            return (join ? http.put(path) : http.delete(path)).status();
        } catch (IOException e) {
            http.close();
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------------- acks

    /**
     * Each open client acknowledges the last seq it received, once a second (as a client batching its acks
     * would): durable messages of connected clients are all acknowledged well within the 60 s after which
     * Herald reports them unacknowledged.
     */
    void ackAll() {
        for (int i = 0; i < fleet.size(); i++) {
            Fleet.Conn c = fleet.conn(i);
            if (c != null && c.ws != null && !c.expectClose && !c.closed && c.lastSeq > c.ackedSeq) {
                c.ack(c.lastSeq);
                acksSent.incrementAndGet();
            }
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
