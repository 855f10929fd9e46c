package io.herald.webhook;

import io.herald.background.FailureLog;
import io.herald.background.Guarded;
import io.herald.cluster.Cluster;
import io.herald.cluster.NodeLeft;
import io.herald.delivery.DurableSettings;
import io.herald.gateway.ClientClosed;
import io.herald.gateway.ClientConnected;
import io.herald.gateway.ClientEvents;
import io.herald.routing.Ids;
import io.herald.routing.Registry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Signed webhooks for presence, connections and unacknowledged durable messages (README, "Webhooks"), on
 * when {@code herald.webhook.url} and {@code herald.webhook.secret} are set.
 *
 * <p>Events enter through {@link Intake} (memory only, so connection threads never wait), and one thread
 * of the webhooks' own does everything else every {@value #TICK_MILLIS} ms: writes buffered events to the
 * outbox table, checks pending offline and group events against the cluster's presence, claims due events
 * and hands them to the HTTP client, records outcomes, and scans for unacknowledged messages. Nothing here
 * runs on the server's shared executors, so a slow endpoint or database cannot hold up message delivery.
 */
@ApplicationScoped
public class Webhooks {

    private static final Logger LOG = Logger.getLogger(Webhooks.class.getName());
    static final long TICK_MILLIS = 100;
    private static final long POLL_MILLIS = 1000;
    private static final long COUNT_MILLIS = 5000;
    /** The longest wait between two tries while the database fails (an outage costs a try every 5 s). */
    static final long MAX_RETRY_MILLIS = 5000;
    private static final long PURGE_MILLIS = 600_000;
    private static final int WRITE_BATCH = 500;
    /**
     * Batches written per tick before the tick goes on to send: during a connect storm the buffer refills
     * while a batch is written, and writing until it is empty kept the dispatcher from sending anything
     * until the storm ended (1,500 connects in 14 s: not one event sent meanwhile). Four batches a tick
     * still write 20,000 changes a second; what is left is written on the next tick, which comes at once.
     */
    private static final int WRITE_BATCHES_PER_TICK = 4;
    private static final int SCAN_PAGE = 500;
    private static final int SCAN_PAGES_PER_TICK = 4;
    /** How far back each scan looks again, for messages committed late or stamped by a slower clock. */
    private static final long SCAN_SLACK_MILLIS = 10_000;
    private static final long SCAN_LEASE_MILLIS = 60_000;

    @Inject
    WebhookSettings settings;

    @Inject
    DurableSettings durable;

    @Inject
    Ids ids;

    @Inject
    Registry registry;

    @Inject
    Cluster cluster;

    @Inject
    EventStore store;

    @Inject
    ClientEvents clientEvents;

    @Inject
    WebhookStats stats;

    @Resource
    ManagedThreadFactory threads;

    private Events events;
    private volatile Intake intake;
    private Dispatcher dispatcher;
    private ScheduledThreadPoolExecutor scheduler;
    private ExecutorService httpThreads;
    private final AtomicBoolean wake = new AtomicBoolean();
    private final AtomicBoolean kicked = new AtomicBoolean();
    private final AtomicBoolean storeFailing = new AtomicBoolean();
    // Only the webhooks' own thread (the ticks) touches these.
    private long retryAt;
    private long retryDelay = TICK_MILLIS;
    private long failingSince;
    private final FailureLog tickFailures = new FailureLog(LOG, Level.SEVERE, "the webhooks' tick");
    private final List<Change> unwritten = new ArrayList<>();
    private volatile boolean reconciled;
    /** Nodes that left the cluster whose leases are still to be ended: one entry per departure. */
    private final Queue<String> departed = new ConcurrentLinkedQueue<>();
    private long nextPoll;
    private long nextScan;
    private long nextCount;
    private long nextPurge;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        stats.enabled(settings.enabled());
        if (!settings.enabled()) {
            return;
        }
        events = new Events(ids.node());
        Intake in = new Intake(settings, events, stats);
        scheduler = new ScheduledThreadPoolExecutor(1, named("herald-webhooks"));
        scheduler.prestartAllCoreThreads();
        // The HTTP client's own work (completing responses) runs here; requests never block a thread.
        ThreadPoolExecutor http = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), named("herald-webhooks-http"));
        http.prestartAllCoreThreads();
        httpThreads = http;
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads)
                .build();
        dispatcher = new Dispatcher(settings, store, stats, ids.node(), client, this::wakeUp);
        if (settings.tracksPresence() || settings.sends(EventType.GROUP_EMPTIED)) {
            registry.track(
                    settings.tracksPresence() ? in::uidPresence : Registry.Presence.NONE,
                    settings.sends(EventType.GROUP_EMPTIED) ? in::groupPresence : Registry.Presence.NONE);
        }
        intake = in;
        if (settings.sends(EventType.CLIENT_CONNECTED) || settings.sends(EventType.CLIENT_CLOSED)) {
            clientEvents.listen(this::connected, this::closed);
        }
        // Guarded: a periodic task that throws (an Error gets past tick()'s own catch) is cancelled silently.
        scheduler.scheduleWithFixedDelay(guardedTick(), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info(() -> "Herald webhooks ON: posting " + settings.events().stream().map(EventType::wireName).sorted().toList()
                + " to " + settings.destination() + " (offline after " + settings.offlineDelayMillis() + " ms, unacknowledged after "
                + settings.unackedAfterMillis() / 1000 + " s)");
    }

    @PreDestroy
    void stop() {
        Intake in = intake;
        intake = null;
        if (scheduler == null) {
            return;
        }
        // No interrupts: the thread may be writing the embedded database (see Journal).
        scheduler.shutdown();
        try {
            if (scheduler.awaitTermination(5, TimeUnit.SECONDS) && in != null) {
                // Last chance for what is still buffered (nothing adds to it now: the intake is gone).
                while (!unwritten.isEmpty() || in.buffered() > 0) {
                    write(in, System.currentTimeMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "webhooks: " + (unwritten.size() + in.buffered())
                    + " buffered events could not be written at shutdown and are lost", e);
        }
        httpThreads.shutdownNow();
    }

    /** On the connection's thread: only hands the event to the intake's buffer. */
    private void connected(ClientConnected event) {
        Intake in = intake;
        if (in != null && settings.sends(EventType.CLIENT_CONNECTED)) {
            in.event(events.clientConnected(event.clientId(), event.uid()));
        }
    }

    /**
     * A node died: its uids are reported offline after the delay unless they have a client somewhere by
     * then, as at this node's start (otherwise only the next node to start would notice); and the events it
     * was sending are free to send again at once.
     */
    void nodeLeft(@Observes NodeLeft left) {
        if (intake == null) {
            return;
        }
        departed.add(left.node()); // its leases are ended on the webhooks' thread, not the cluster's
        wakeUp();
        if (settings.tracksPresence()) {
            LOG.info(() -> "webhooks: node " + left.node() + " left; checking which uids went offline with it");
            reconciled = false;
        }
    }

    private void closed(ClientClosed event) {
        Intake in = intake;
        if (in != null && settings.sends(EventType.CLIENT_CLOSED)) {
            in.event(events.clientClosed(event.clientId(), event.uid(), event.closeCode()));
        }
    }

    /**
     * A request finished: run a tick now rather than at the next period, so that a free request slot is
     * refilled at once (the throughput then depends on the endpoint, not on the tick). At most one extra
     * tick waits at a time.
     */
    private void wakeUp() {
        wake.set(true);
        if (kicked.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    kicked.set(false);
                    guardedTick().run();
                });
            } catch (RejectedExecutionException stopping) {
                kicked.set(false);
            }
        }
    }

    private Runnable guardedTick() {
        return Guarded.task(tickFailures, "the next tick runs in " + TICK_MILLIS + " ms", this::tick);
    }

    private void tick() {
        Intake in = intake;
        if (in == null) {
            return;
        }
        long now = System.currentTimeMillis();
        if (storeFailing.get() && now < retryAt) {
            return; // backing off: each try against a database that is down costs the server's log lines too
        }
        try {
            if (storeFailing.get()) {
                stats.pending(store.pending()); // a read that needs the database: is it back?
            }
            dispatcher.settle(now);
            releaseLeasesOfDeparted();
            if (!reconciled) {
                reconcile(in, now);
            }
            in.expire(now);
            write(in, now);
            if (wake.getAndSet(false) || now >= nextPoll || now >= dispatcher.nextDue()) {
                nextPoll = now + POLL_MILLIS;
                dispatcher.polled(now);
                dispatcher.dispatch(now);
            }
            if (settings.sends(EventType.MESSAGE_UNACKNOWLEDGED) && now >= nextScan) {
                nextScan = now + Math.max(TICK_MILLIS, Math.min(settings.unackedAfterMillis() / 2, 10_000));
                scan(now);
            }
            if (now >= nextCount) {
                nextCount = now + COUNT_MILLIS;
                stats.pending(store.pending());
            }
            if (now >= nextPurge) {
                nextPurge = now + PURGE_MILLIS;
                store.purge(now - durable.retention().toMillis());
            }
            if (storeFailing.compareAndSet(true, false)) {
                retryDelay = TICK_MILLIS;
                LOG.info("webhooks: the database is usable again after " + (now - failingSince) / 1000
                        + " s; " + in.buffered() + " buffered events are being written");
            }
        } catch (Exception e) {
            // Whatever failed is retried on a later tick: buffered changes stay, leased events come back. (A
            // commit that fails comes through the transactional proxy as the checked RollbackException:
            // caught as a RuntimeException only, it skipped the backoff, and every tick tried again.)
            if (storeFailing.compareAndSet(false, true)) {
                failingSince = now;
                retryDelay = TICK_MILLIS;
                LOG.log(Level.WARNING, "webhooks: a database operation failed; events are buffered (up to "
                        + settings.bufferCapacity() + ") and the database is tried again with a growing delay (up to "
                        + MAX_RETRY_MILLIS + " ms); logging again when it works", e);
            } else {
                retryDelay = Math.min(MAX_RETRY_MILLIS, retryDelay * 2);
                LOG.log(Level.FINE, "webhooks: a database operation failed again", e);
            }
            retryAt = now + retryDelay;
        }
    }

    /** Removed from the queue only once done: a database that fails keeps the node for the next tick. */
    private void releaseLeasesOfDeparted() {
        for (String gone = departed.peek(); gone != null; gone = departed.peek()) {
            int freed = store.releaseLeases(gone);
            departed.remove();
            String node = gone;
            LOG.info(() -> "webhooks: " + freed + " events that node " + node + " was sending are due again");
        }
    }

    /**
     * Uids recorded online before this node started may have gone offline meanwhile (a restart, or a node
     * that crashed): each is reported offline after the delay unless it has a client somewhere by then.
     */
    private void reconcile(Intake in, long now) {
        if (settings.tracksPresence()) {
            String after = "";
            List<String> page;
            do {
                page = store.onlineUids(after, 1000);
                in.suspect(page, now);
                after = page.isEmpty() ? after : page.get(page.size() - 1);
            } while (page.size() == 1000);
        }
        reconciled = true;
    }

    /**
     * Writes buffered changes, in batches; a batch the database refuses is written change by change, so
     * that a conflict with another node (both reporting the same uid) costs only that change. Changes the
     * database cannot take at all wait for the next tick while the buffer takes no more than its capacity.
     */
    private void write(Intake in, long now) throws Exception {
        if (unwritten.isEmpty()) {
            unwritten.addAll(resolve(in.drain(WRITE_BATCH)));
        }
        for (int batch = 0; !unwritten.isEmpty(); batch++) {
            if (batch == WRITE_BATCHES_PER_TICK) {
                wakeUp(); // more to write: the next tick runs once this one has sent what it can
                return;
            }
            try {
                store.write(unwritten, now);
                wake.set(true);
            } catch (Exception batchFailed) {
                writeOneByOne(now, batchFailed);
            }
            unwritten.clear();
            unwritten.addAll(resolve(in.drain(WRITE_BATCH)));
        }
    }

    private void writeOneByOne(long now, Exception batchFailed) throws Exception {
        List<Change> failed = new ArrayList<>();
        Exception last = batchFailed;
        for (Change change : unwritten) {
            try {
                store.write(List.of(change), now);
            } catch (Exception e) {
                failed.add(change);
                last = e;
            }
        }
        if (failed.size() == unwritten.size()) {
            throw last; // the database is failing: keep them all for the next tick
        }
        wake.set(true);
        for (Change change : failed) {
            LOG.log(Level.WARNING, "webhooks: could not store " + (change.event() != null
                    ? change.event().type().wireName() + " event " + change.event().id() : change.kind())
                    + " for " + change.key() + "; dropped", last);
            stats.countDropped();
        }
    }

    /**
     * Offline and group-emptied are about the whole cluster: they stand only if the uid or group has no
     * client on any node now. Asked here, on the webhooks' thread, not in the hooks.
     */
    private List<Change> resolve(List<Change> changes) {
        Set<String> online = online(changes);
        List<Change> kept = new ArrayList<>(changes.size());
        for (Change change : changes) {
            try {
                if (stands(change, online)) {
                    kept.add(change);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "webhooks: could not ask the cluster whether " + change.key()
                        + " is still present; " + change.kind() + " not reported", e);
            }
        }
        return kept;
    }

    /**
     * Of the uids these changes report offline, those that have a client somewhere after all: asked of the
     * cluster at once (a node's loss reports thousands). Null if the cluster could not answer: then none of
     * them is reported (as if each had been asked and failed).
     */
    private Set<String> online(List<Change> changes) {
        Set<String> leaving = new HashSet<>();
        for (Change change : changes) {
            if (change.kind() == Change.Kind.OFFLINE && !registry.uidOnline(change.key())) {
                leaving.add(change.key());
            }
        }
        if (leaving.isEmpty()) {
            return Set.of();
        }
        try {
            return cluster.uidsOnline(leaving);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "webhooks: could not ask the cluster whether " + leaving.size()
                    + " uids are still present; their uid.offline is not reported", e);
            return null;
        }
    }

    private boolean stands(Change change, Set<String> online) {
        return switch (change.kind()) {
            case OFFLINE -> online != null && !registry.uidOnline(change.key()) && !online.contains(change.key());
            case GROUP_LEFT -> !registry.hasGroup(change.key()) && cluster.nodesOfGroup(change.key()).isEmpty();
            default -> true;
        };
    }

    private void scan(long now) {
        if (!store.claimScan(ids.node(), now, now + SCAN_LEASE_MILLIS)) {
            return;
        }
        try {
            long to = now - settings.unackedAfterMillis();
            long floor = to - settings.maxAgeMillis();
            for (int page = 0; page < SCAN_PAGES_PER_TICK; page++) {
                if (!store.scan(events, to, SCAN_SLACK_MILLIS, floor, SCAN_PAGE)) {
                    break;
                }
            }
            wake.set(true);
        } finally {
            store.releaseScan(ids.node());
        }
    }

    private ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = threads.newThread(runnable);
            thread.setName(name);
            return thread;
        };
    }
}
