package io.herald.delivery;

import io.herald.background.FailureLog;
import io.herald.background.Guarded;
import io.herald.background.Timers;
import io.herald.routing.ConnectionSettings;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Frames;
import io.herald.core.JsonCodec;
import io.herald.core.Receipt;
import io.herald.metrics.Kind;
import io.herald.metrics.Metrics;
import io.herald.routing.Registry;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers durable streams to clients, uids' and groups': replays what a client missed from the store, then
 * switches it to live delivery of newly committed messages, in seq order, without gap or duplicate; and
 * records the clients' cumulative acknowledgements (uid streams only: each client keeps its own position
 * in a group's stream).
 *
 * <p>A bound client has a {@link Cursor} on its uid's stream; a client has one on a group's stream once it
 * resumed the group, joined it while {@code herald.durable.groups.join-last} is on, or received the group's
 * first durable message live (it then goes on from that message). Group cursors exist only for groups the
 * client is in (at most {@code herald.limits.groups-per-client}) and go when it leaves them. Live deliveries send only the next seq after the cursor; anything
 * else (the client is still replaying, or a seq arrived out of order) is left to a catch-up read from the
 * store, which holds every message before it is delivered live.
 *
 * <p>Replays and catch-ups run on the container's executor; what they hold is one page at a time, at most
 * {@code herald.durable.replay-page} messages and {@code herald.durable.page-max-bytes} of data, and
 * they read on only while the client's send queue has room. Whatever a replay meets ends in the client's
 * close (it reconnects and resumes), never in a client left waiting for a replay that died.
 */
@ApplicationScoped
public class Deliveries {

    private static final Logger LOG = Logger.getLogger(Deliveries.class.getName());
    /** The longest wait between two tries to store acknowledgements while the database fails. */
    private static final long MAX_ACK_RETRY_MILLIS = 5000;

    @Inject
    DurableSettings durable;

    @Inject
    ConnectionSettings connection;

    @Inject
    Registry registry;

    @Inject
    Streams streams;

    @Inject
    Journal journal;

    @Inject
    GroupPages groupPages;

    @Inject
    PositionReads positionReads;

    @Inject
    PageReads pageReads;

    @Inject
    Metrics metrics;

    private static final long OPEN_TIMEOUT_SECONDS = 30;
    private static final long CATCH_UP_RETRY_MILLIS = 50;

    @Resource
    ManagedExecutorService executor;

    @Inject
    Timers timers;

    private final FailureLog replayFailures = new FailureLog(LOG, Level.WARNING, "replaying a durable stream");
    private final FailureLog ackFailures = new FailureLog(LOG, Level.WARNING, "storing acknowledgements");

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    /** By clientId, then group name. */
    private final Map<String, Map<String, Cursor>> groupCursors = new ConcurrentHashMap<>();
    private final Map<String, Long> acks = new ConcurrentHashMap<>();
    // Guarded by this (the flushes): the backoff of acknowledgement writes while the database fails.
    private long ackRetryDelay;
    private long ackRetryAt;
    private ScheduledFuture<?> ackFlushes;
    private volatile boolean stopping;
    // Taken once: counted per message and client.
    private CounterDataPoint liveDelivered;
    private CounterDataPoint liveDeliveredToGroups;
    private CounterDataPoint replayed;

    @PostConstruct
    void counters() {
        liveDelivered = metrics.delivered(Kind.UID, true);
        liveDeliveredToGroups = metrics.delivered(Kind.GROUP, true);
        replayed = metrics.replayed();
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        ackFlushes = timers.every("the acknowledgement flush", durable.ackFlushMillis(), this::flushAcksOnTime);
    }

    @PreDestroy
    void stop() {
        if (ackFlushes != null) {
            ackFlushes.cancel(false);
        }
        flushAcks();
    }

    /**
     * Starts the client on the uid's stream after {@code since} (null: after the uid's acknowledged
     * position). {@code epoch}, if given, is the stream epoch the client's position belongs to.
     */
    public void attach(Client client, String uid, Long since, String epoch) {
        Cursor cursor = Cursor.ofUid(client, uid);
        Cursor previous = cursors.put(client.id(), cursor);
        if (previous != null) {
            detach(previous);
        }
        positionReads.opening(cursor.stream).whenComplete((start, failure) -> {
            if (failure != null) {
                failed(cursor, failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            } else {
                started(cursor, start, since, epoch);
            }
        });
    }

    /** Where a client asks to start in a group's stream: after {@code since}, in {@code epoch} (either null). */
    public record GroupPosition(Long since, String epoch) {

        /** No position of its own: the newest {@code herald.durable.groups.join-last} messages, or none. */
        public static final GroupPosition JOINING = new GroupPosition(null, null);
    }

    /**
     * Starts the client on the streams of these groups, each after its position, with a {@code replay}
     * frame first (none for a join to a group that never had a durable message: its first message starts
     * its stream, and a join writes nothing). Groups the client is not in are skipped: the caller checked.
     * All the groups' positions are read in one query, so that a resume of many groups costs the store
     * one read (and a catch-up only for the groups with something to catch up on).
     */
    public void attachGroups(Client client, Map<String, GroupPosition> positions) {
        Map<Cursor, GroupPosition> starting = new LinkedHashMap<>();
        positions.forEach((group, position) -> {
            Cursor cursor = Cursor.ofGroup(client, group);
            Cursor previous = groupCursorsOf(client).put(group, cursor);
            if (previous != null) {
                detach(previous);
            }
            if (!dropIfGone(cursor)) {
                starting.put(cursor, position);
            }
        });
        if (starting.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> startGroups(starting));
        } catch (RejectedExecutionException e) {
            starting.keySet().forEach(cursor -> failed(cursor, e));
        }
    }

    /**
     * The client has joined these groups (the backend, or its token at connect): with
     * {@code herald.durable.groups.join-last} on (or a rule's, for the group), it starts on their streams
     * with their newest messages.
     */
    public void joined(Client client, Collection<String> groups) {
        if (!durable.anyJoinLast() || groups.isEmpty()) {
            return;
        }
        Map<String, Cursor> mine = groupCursors.get(client.id());
        Map<String, GroupPosition> joining = new LinkedHashMap<>();
        for (String group : groups) {
            if ((mine == null || !mine.containsKey(group)) && durable.groupPolicy(group).joinLast() > 0) {
                joining.put(group, GroupPosition.JOINING);
            }
        }
        attachGroups(client, joining);
    }

    /** The client has left the group: its position there is forgotten. */
    public void left(Client client, String group) {
        Map<String, Cursor> mine = groupCursors.get(client.id());
        Cursor cursor = mine == null ? null : mine.remove(group);
        if (cursor != null) {
            detach(cursor);
        }
    }

    private Map<String, Cursor> groupCursorsOf(Client client) {
        return groupCursors.computeIfAbsent(client.id(), id -> new ConcurrentHashMap<>());
    }

    /**
     * Removes a group cursor just made for a client that is closing or no longer in the group, and says so.
     * Checked after the cursor was put in place: a close detaches the client's cursors after its outbox
     * closed, and a leave after the registry changed, so either the close (or leave) removes the cursor or
     * this sees it. No cursor outlives its client or its membership.
     */
    private boolean dropIfGone(Cursor cursor) {
        Client client = cursor.client;
        if (!client.outbox().closing() && client.groups().contains(cursor.name)) {
            return false;
        }
        forget(cursor);
        return true;
    }

    /**
     * Runs a replay's work on the executor. One the executor refuses (the server is stopping, or it is
     * saturated) closes the client, which reconnects and resumes: left alone, it would wait for a replay that
     * never comes.
     */
    private void replay(Cursor cursor, Runnable work) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            failed(cursor, e);
        }
    }

    public void detach(Client client) {
        Cursor cursor = cursors.remove(client.id());
        if (cursor != null) {
            detach(cursor);
        }
        Map<String, Cursor> groups = groupCursors.remove(client.id());
        if (groups != null) {
            groups.values().forEach(Deliveries::detach);
        }
    }

    /** A cumulative acknowledgement from the client; false if it acknowledges more than it was sent. */
    public boolean acknowledge(Client client, long seq) {
        Cursor cursor = cursors.get(client.id());
        if (cursor == null) {
            return false;
        }
        synchronized (cursor) {
            if (seq < 0 || seq > cursor.position) {
                return false;
            }
            cursor.acked = Math.max(cursor.acked, seq);
        }
        acks.merge(cursor.stream, seq, Math::max);
        return true;
    }

    public boolean attached(Client client) {
        return cursors.containsKey(client.id());
    }

    /**
     * Where the client stands in its uid's stream, for operators: {@code seq}, the last seq sent to it (or
     * the position it resumed from; null while its replay is starting), {@code acked}, the highest seq it
     * acknowledged itself (null: none yet), and {@code replaying}, whether it is still catching up from the
     * store. Null when the client has no stream (no uid).
     */
    public JsonObject cursorOf(Client client) {
        Cursor cursor = cursors.get(client.id());
        if (cursor == null) {
            return null;
        }
        JsonObjectBuilder json = JsonCodec.object();
        synchronized (cursor) {
            if (cursor.detached) {
                return null;
            }
            addSeq(json, "seq", cursor.position);
            addSeq(json, "acked", cursor.acked);
            json.add("replaying", cursor.replaying);
        }
        return json.build();
    }

    private static void addSeq(JsonObjectBuilder json, String name, long seq) {
        if (seq < 0) {
            json.addNull(name);
        } else {
            json.add(name, seq);
        }
    }

    /** Delivers committed messages to this node's live clients of their uids and members of their groups. */
    public void committed(List<Append> appends, List<Receipt> receipts) {
        for (int i = 0; i < appends.size(); i++) {
            Append append = appends.get(i);
            Receipt receipt = receipts.get(i);
            if (!receipt.id().equals(append.messageId())) {
                continue; // an idempotent retry: the original was delivered when it was stored
            }
            for (String stream : append.streams()) {
                long seq = receipt.seq(stream);
                if (StreamKey.isGroup(stream)) {
                    toMembers(StreamKey.name(stream), seq, append);
                    continue;
                }
                String frame = Frames.durableMessage(append.messageId(), seq, append.data());
                for (Client client : registry.clientsOfUid(stream)) {
                    Cursor cursor = cursors.get(client.id());
                    if (cursor != null && cursor.stream.equals(stream)) {
                        deliverLive(cursor, seq, frame, false);
                    }
                }
            }
        }
    }

    /**
     * One group message to the group's members here: one frame for all. A member without a cursor on the
     * group gets one now, starting with this message. An excluded member is not sent the message, and its
     * cursor moves past it as if it had been.
     */
    private void toMembers(String group, long seq, Append append) {
        String frame = Frames.groupMessage(append.messageId(), group, seq, append.data());
        for (Client client : registry.clientsOfGroup(group)) {
            boolean excluded = append.exclude().contains(client.id());
            Map<String, Cursor> mine = groupCursors.get(client.id());
            Cursor cursor = mine == null ? null : mine.get(group);
            if (cursor == null) {
                if (excluded) {
                    continue;
                }
                Cursor fresh = Cursor.ofGroup(client, group);
                fresh.position = seq - 1;
                fresh.replaying = false;
                cursor = groupCursorsOf(client).putIfAbsent(group, fresh);
                if (cursor == null) {
                    cursor = fresh;
                    if (dropIfGone(fresh)) {
                        continue;
                    }
                }
            }
            deliverLive(cursor, seq, frame, excluded);
        }
    }

    /** {@code skip}: the message is not for this client (excluded), but its position moves past it. */
    private void deliverLive(Cursor cursor, long seq, String frame, boolean skip) {
        synchronized (cursor) {
            if (cursor.detached) {
                return;
            }
            if (skip) {
                if (!cursor.replaying && seq == cursor.position + 1) {
                    cursor.position = seq;
                }
                // Otherwise the client reads the stream from the store now or soon, which holds this message
                // too: an excluded client that catches up past it gets it there.
            } else if (cursor.replaying) {
                cursor.pendingMax = Math.max(cursor.pendingMax, seq);
            } else if (seq == cursor.position + 1) {
                if (cursor.client.send(frame)) {
                    (cursor.group ? liveDeliveredToGroups : liveDelivered).inc();
                }
                cursor.position = seq;
            } else if (seq > cursor.position + 1) {
                cursor.replaying = true;
                cursor.pendingMax = seq;
                replay(cursor, () -> catchUp(cursor));
            }
        }
    }

    /**
     * The cursor's stream position has been read (on the reading thread, which many clients wait for): sends
     * the replay frame, and hands what takes longer, a catch-up from the store or the opening of a stream
     * through the journal, to the executor.
     */
    private void started(Cursor cursor, PositionReads.Start start, Long since, String epoch) {
        try {
            Streams.Position position = start.position();
            if (!position.exists()) {
                replay(cursor, () -> startThroughJournal(cursor, since, epoch));
            } else if (begin(cursor, position, !start.created(), since, epoch)) {
                replay(cursor, () -> catchUp(cursor));
            }
        } catch (Throwable e) {
            failed(cursor, e);
        }
    }

    /**
     * A stream the store could not create together with others (the embedded H2) is opened through the
     * journal, so that the client learns the epoch its positions belong to.
     */
    private void startThroughJournal(Cursor cursor, Long since, String epoch) {
        try {
            journal.append(Append.openStream(cursor.stream)).get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (begin(cursor, positionReads.of(cursor.stream), false, since, epoch)) {
                catchUp(cursor);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(cursor, e);
        } catch (ExecutionException e) {
            failed(cursor, e.getCause() == null ? e : e.getCause());
        } catch (Throwable e) {
            // The top of the replay's task: whatever it meets (the store down, memory short) closes the client.
            failed(cursor, e);
        }
    }

    /**
     * Starts group cursors, all their positions read at once. A group's stream is not opened here: joining
     * or resuming a group that never had a durable message (most groups) must not write to the store.
     */
    private void startGroups(Map<Cursor, GroupPosition> starting) {
        Map<String, Streams.Position> positions;
        try {
            positions = positionReads.of(starting.keySet().stream().map(cursor -> cursor.stream).toList());
        } catch (Throwable e) {
            // The top of the replay's task: the store cannot be read; the client is closed and resumes.
            starting.keySet().forEach(cursor -> failed(cursor, e));
            return;
        }
        starting.forEach((cursor, asked) -> {
            try {
                Streams.Position position = positions.get(cursor.stream);
                if (begin(cursor, position, position.exists(), asked.since(), asked.epoch())) {
                    catchUp(cursor);
                }
            } catch (Throwable e) {
                failed(cursor, e);
            }
        });
    }

    /**
     * Sends the cursor's replay frame and puts it at its start; true if it must catch up from the store
     * (else it is live already). {@code existed}: the stream was there before this start looked.
     */
    private boolean begin(Cursor cursor, Streams.Position position, boolean existed, Long since, String epoch) {
        long last = position.lastSeq();
        String streamEpoch = position.epoch();
        long oldest = position.oldestSeq();
        if (oldest == 0) {
            oldest = last + 1;
        }
        // Where a client without a usable position starts: after its uid's acknowledged position, or
        // with the group's newest join-last messages (those still kept).
        long fallback = cursor.group ? Math.max(last - durable.groupPolicy(cursor.name).joinLast(), oldest - 1)
                : position.ackedSeq();

        long start;
        String lost = null;
        if (since == null) {
            start = fallback;
        } else if (since > 0 && (!existed || (epoch != null && !epoch.equals(streamEpoch)))) {
            lost = "epoch"; // the client's position belongs to a history this store no longer has
            start = fallback;
        } else if (since > last) {
            lost = "ahead";
            start = last;
        } else {
            start = since;
        }
        if (start < oldest - 1) {
            lost = lost == null ? "expired" : lost;
            start = oldest - 1;
        }
        synchronized (cursor) {
            if (cursor.detached) {
                return false;
            }
            if (cursor.group && !existed && since == null) {
                // A join to a group without durable messages: nothing to announce (most groups are
                // ephemeral only); its first durable message, if one comes, is the first the client gets.
                cursor.position = 0;
                if (cursor.pendingMax == 0) {
                    cursor.replaying = false;
                    return false;
                }
            } else {
                cursor.client.send(cursor.replay(streamEpoch, start, last, lost, oldest));
                cursor.position = start;
                // Nothing stored after the start, and nothing committed since the position was read (a
                // commit since then raised pendingMax): live at once, without a read. Most connections are
                // level with their stream, so this saves a transaction per connect.
                if (start >= last && cursor.pendingMax <= start) {
                    cursor.replaying = false;
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Sends stored messages after the cursor until it is level with live delivery, then goes live. A replay
     * must not overflow the client's own send queue, in frames or in bytes: it reads a page only while
     * fewer than half of {@code herald.send-queue.max-frames} wait, and while what it queued since the
     * queue was last seen empty holds less than a page's bytes; else it tries again shortly. A page from the
     * store is asked for and the thread let go ({@link PageReads}: the pages of the clients catching up
     * meanwhile are read together); the catch-up goes on with the page on the executor.
     */
    private void catchUp(Cursor cursor) {
        try {
            int pageSize = durable.replayPage();
            long pageChars = durable.pageMaxBytes();
            int room = connection.sendQueueMaxFrames() / 2;
            while (true) {
                int depth = cursor.client.outbox().depth();
                int free = room - depth;
                long freeChars;
                long from;
                synchronized (cursor) {
                    // A client being closed (a drain, a stopping node) takes no more frames: stop reading.
                    if (cursor.detached || stopping || cursor.client.outbox().closing()) {
                        return;
                    }
                    if (depth == 0) {
                        cursor.queuedChars = 0; // the client has read what the replay queued so far
                    }
                    freeChars = pageChars - cursor.queuedChars;
                    from = cursor.position;
                }
                // A message larger than a page goes alone, into an empty queue only. A group member takes
                // what it can from the page its group's members share, and reads the store only past it.
                Streams.Page page = null;
                if (free > 0 && freeChars > 0) {
                    int limit = Math.min(pageSize, free);
                    page = cursor.group ? shared(cursor, from, limit, freeChars, depth == 0) : null;
                    if (page == null) {
                        metrics.replayReads(cursor.group).inc();
                        pageReads.reading(new Streams.PageAsk(cursor.stream, from, limit, freeChars, depth == 0))
                                .whenComplete((read, failure) -> {
                                    if (failure != null) {
                                        failed(cursor, failure instanceof CompletionException
                                                && failure.getCause() != null ? failure.getCause() : failure);
                                    } else {
                                        replay(cursor, () -> catchUpWith(cursor, read));
                                    }
                                });
                        return;
                    }
                }
                if (!took(cursor, page)) {
                    return;
                }
            }
        } catch (Throwable e) {
            // The top of a catch-up's task (or of the replay that called it): the client is closed, not stuck.
            failed(cursor, e);
        }
    }

    /** Goes on with a page read from the store for the cursor. */
    private void catchUpWith(Cursor cursor, Streams.Page page) {
        try {
            if (took(cursor, page)) {
                catchUp(cursor);
            }
        } catch (Throwable e) {
            failed(cursor, e);
        }
    }

    /**
     * Sends the page's messages after the cursor's position; false if the catch-up ends here: the cursor
     * is live or detached, or it waits for the client to read (null or nothing that fit), to try again shortly.
     */
    private boolean took(Cursor cursor, Streams.Page page) {
        if (page == null || page.messages().isEmpty() && !page.end()) {
            // Let the client read first.
            if (timers.after("a durable catch-up", CATCH_UP_RETRY_MILLIS,
                    () -> replay(cursor, () -> catchUp(cursor))) == null) {
                forget(cursor); // stopping: the client resumes from its position elsewhere
            }
            return false;
        }
        synchronized (cursor) {
            if (cursor.detached) {
                return false;
            }
            for (StoredMessage message : page.messages()) {
                if (message.seq() <= cursor.position) {
                    continue;
                }
                if (message.seq() > cursor.position + 1) {
                    // Purged while this client was behind: say so rather than skip silently.
                    cursor.client.send(cursor.replay(null, message.seq() - 1, -1, "expired", message.seq()));
                }
                if (cursor.client.send(cursor.frame(message.messageId(), message.seq(), message.data()))) {
                    replayed.inc();
                }
                cursor.position = message.seq();
                cursor.queuedChars += message.data().length();
            }
            if (page.end() && cursor.pendingMax <= cursor.position) {
                cursor.replaying = false;
                return false;
            }
            return true;
        }
    }

    /**
     * The messages after {@code from} that a group member may take now from the page its group's members
     * share ({@link GroupPages}), within the bounds of a read of its own; null if that page holds none after
     * {@code from}, so that the member reads the store itself.
     */
    private Streams.Page shared(Cursor cursor, long from, int limit, long maxChars, boolean firstAlways) {
        Streams.Page page = groupPages.holding(cursor.stream, from);
        List<StoredMessage> after = page.messages().stream().filter(message -> message.seq() > from).toList();
        if (after.isEmpty()) {
            return null;
        }
        List<Long> sizes = after.stream().limit(limit).map(message -> (long) message.data().length()).toList();
        int fit = Pages.fitting(sizes, maxChars, firstAlways);
        return new Streams.Page(after.subList(0, fit), page.end() && fit == after.size());
    }

    /**
     * Herald is stopping: replays end (each client resumes from its own position on another node or after
     * the restart), and those that fail now fail because of it.
     */
    public void stopReplays() {
        this.stopping = true;
    }

    /**
     * A replay that cannot go on: the client is closed so that it reconnects and resumes from its position.
     * While Herald stops, that is expected (the executor refuses work, the store may be gone) and the drain
     * closes the client anyway: FINE. Otherwise logged once a minute at most, however many clients fail.
     */
    private void failed(Cursor cursor, Throwable e) {
        forget(cursor);
        if (stopping) {
            LOG.log(Level.FINE, () -> "the replay of " + cursor + " to " + cursor.client + " ended: stopping");
            return;
        }
        CloseCodes code = e instanceof RejectedExecutionException ? CloseCodes.SERVICE_RESTART
                : storeUnavailable(e) || e instanceof Backlogged ? CloseCodes.TRY_AGAIN_LATER
                : CloseCodes.SERVER_ERROR;
        Guarded.logged(replayFailures, e, "closing " + cursor.client + " with " + code.code()
                + " so that it reconnects and resumes (" + cursor + ")");
        cursor.client.outbox().closeNow(code.reason());
    }

    /** The database could not be used (down, restarting, its pool exhausted): a condition that passes. */
    private static boolean storeUnavailable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof jakarta.persistence.PersistenceException || cause instanceof java.sql.SQLException) {
                return true;
            }
        }
        return false;
    }

    /** Ends this cursor, and not one that a later bind of the same client put in its place. */
    private void forget(Cursor cursor) {
        if (cursor.group) {
            Map<String, Cursor> mine = groupCursors.get(cursor.client.id());
            if (mine != null) {
                mine.remove(cursor.name, cursor);
                // No empty map left behind for a client that may be gone (see dropIfGone).
                groupCursors.computeIfPresent(cursor.client.id(), (id, map) -> map.isEmpty() ? null : map);
            }
        } else {
            cursors.remove(cursor.client.id(), cursor);
        }
        detach(cursor);
    }

    private static void detach(Cursor cursor) {
        synchronized (cursor) {
            cursor.detached = true;
        }
    }

    /**
     * Stores the acknowledgements received so far. Synchronized so that the final flush at shutdown waits
     * for a scheduled one under way, and an older batch never commits after a newer one.
     */
    public synchronized void flushAcks() {
        if (acks.isEmpty()) {
            return;
        }
        ackRetryAt = 0; // whoever calls outside the timer (the stop) means it: try now
        // In uid order, as the journal locks streams: two transactions locking the same rows in different
        // orders deadlock.
        TreeMap<String, Long> batch = new TreeMap<>();
        for (String uid : acks.keySet()) {
            Long seq = acks.remove(uid);
            if (seq != null) {
                batch.put(uid, seq);
            }
        }
        try {
            streams.acknowledge(batch);
            ackFailures.succeeded();
            ackRetryDelay = 0;
        } catch (RuntimeException e) {
            // Put them back (keeping any newer ones) for the next flush; a lost ack only means a replay.
            batch.forEach((uid, seq) -> acks.merge(uid, seq, Math::max));
            // While the database fails, try less and less often: each try costs the server's log lines too.
            ackRetryDelay = Math.min(MAX_ACK_RETRY_MILLIS, Math.max(2 * ackRetryDelay, durable.ackFlushMillis()));
            ackRetryAt = System.currentTimeMillis() + ackRetryDelay;
            ackFailures.failed(e, "the " + batch.size() + " acknowledgements are kept, and tried again in "
                    + ackRetryDelay + " ms");
        }
    }

    /** The timer's flush: skipped while a failed one waits for its retry time. */
    private synchronized void flushAcksOnTime() {
        if (System.currentTimeMillis() >= ackRetryAt) {
            flushAcks();
        }
    }
}
