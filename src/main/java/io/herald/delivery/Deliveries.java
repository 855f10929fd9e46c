package io.herald.delivery;

import io.herald.config.HeraldConfig;
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
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers uid streams to clients: replays what a client missed from the store, then switches it to live
 * delivery of newly committed messages, in seq order, without gap or duplicate; and records the clients'
 * cumulative acknowledgements.
 *
 * <p>A bound client has a {@link Cursor}. Live deliveries send only the next seq after the cursor; anything
 * else (the client is still replaying, or a seq arrived out of order) is left to a catch-up read from the
 * store, which holds every message before it is delivered live.
 */
@ApplicationScoped
public class Deliveries {

    private static final Logger LOG = Logger.getLogger(Deliveries.class.getName());

    @Inject
    HeraldConfig config;

    @Inject
    Registry registry;

    @Inject
    Streams streams;

    @Inject
    Journal journal;

    @Inject
    Metrics metrics;

    private static final long OPEN_TIMEOUT_SECONDS = 30;

    @Resource
    ManagedScheduledExecutorService executor;

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private final Map<String, Long> acks = new ConcurrentHashMap<>();
    private ScheduledFuture<?> ackFlushes;
    private volatile boolean stopping;
    // Taken once: counted per message and client.
    private CounterDataPoint liveDelivered;
    private CounterDataPoint replayed;

    @PostConstruct
    void counters() {
        liveDelivered = metrics.delivered(Kind.UID, true);
        replayed = metrics.replayed();
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        long every = config.durableAckFlushMillis();
        ackFlushes = executor.scheduleWithFixedDelay(this::flushAcks, every, every, TimeUnit.MILLISECONDS);
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
        Cursor cursor = new Cursor(client, uid);
        Cursor previous = cursors.put(client.id(), cursor);
        if (previous != null) {
            detach(previous);
        }
        executor.execute(() -> start(cursor, since, epoch));
    }

    public void detach(Client client) {
        Cursor cursor = cursors.remove(client.id());
        if (cursor != null) {
            detach(cursor);
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
        acks.merge(cursor.uid, seq, Math::max);
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

    /** Delivers committed messages to this node's live clients of their uids. */
    public void committed(List<Append> appends, List<Receipt> receipts) {
        for (int i = 0; i < appends.size(); i++) {
            Append append = appends.get(i);
            Receipt receipt = receipts.get(i);
            if (!receipt.id().equals(append.messageId())) {
                continue; // an idempotent retry: the original was delivered when it was stored
            }
            for (String uid : append.uids()) {
                long seq = receipt.seq(uid);
                String frame = Frames.durableMessage(append.messageId(), seq, append.data());
                for (Client client : registry.clientsOfUid(uid)) {
                    Cursor cursor = cursors.get(client.id());
                    if (cursor != null && cursor.uid.equals(uid)) {
                        deliverLive(cursor, seq, frame);
                    }
                }
            }
        }
    }

    private void deliverLive(Cursor cursor, long seq, String frame) {
        synchronized (cursor) {
            if (cursor.detached) {
                return;
            }
            if (cursor.replaying) {
                cursor.pendingMax = Math.max(cursor.pendingMax, seq);
            } else if (seq == cursor.position + 1) {
                if (cursor.client.send(frame)) {
                    liveDelivered.inc();
                }
                cursor.position = seq;
            } else if (seq > cursor.position + 1) {
                cursor.replaying = true;
                cursor.pendingMax = seq;
                executor.execute(() -> catchUp(cursor));
            }
        }
    }

    private void start(Cursor cursor, Long since, String epoch) {
        try {
            boolean existed = true;
            Streams.Position position = streams.position(cursor.uid);
            if (!position.exists()) {
                // Opened now, so that the client learns the epoch its positions belong to.
                existed = false;
                journal.append(Append.openStream(cursor.uid)).get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                position = streams.position(cursor.uid);
            }
            long last = position.lastSeq();
            long acked = position.ackedSeq();
            String streamEpoch = position.epoch();
            long oldest = position.oldestSeq();
            if (oldest == 0) {
                oldest = last + 1;
            }

            long start;
            String lost = null;
            if (since == null) {
                start = acked;
            } else if (since > 0 && (!existed || (epoch != null && !epoch.equals(streamEpoch)))) {
                lost = "epoch"; // the client's position belongs to a history this store no longer has
                start = acked;
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
                    return;
                }
                cursor.client.send(Frames.replay(cursor.uid, streamEpoch, start, last, lost, oldest));
                cursor.position = start;
                // Nothing stored after the start, and nothing committed since the position was read (a
                // commit since then raised pendingMax): live at once, without a read. Most connections are
                // level with their stream, so this saves a transaction per connect.
                if (start >= last && cursor.pendingMax <= start) {
                    cursor.replaying = false;
                    return;
                }
            }
            catchUp(cursor);
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            failed(cursor, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends stored messages after the cursor until it is level with live delivery, then goes live. */
    private void catchUp(Cursor cursor) {
        try {
            int page = config.durableReplayPage();
            int room = config.sendQueueMaxFrames() / 2;
            while (true) {
                int free = room - cursor.client.outbox().depth();
                if (free <= 0 || cursor.client.outbox().halfFull()) {
                    // Let the client drain first: a replay must not overflow its own outbox (frames or bytes).
                    executor.schedule(() -> catchUp(cursor), 50, TimeUnit.MILLISECONDS);
                    return;
                }
                int limit = Math.min(page, free);
                long from;
                synchronized (cursor) {
                    // A client being closed (a drain, a stopping node) takes no more frames: stop reading.
                    if (cursor.detached || stopping || cursor.client.outbox().closing()) {
                        return;
                    }
                    from = cursor.position;
                }
                List<StoredMessage> messages = streams.read(cursor.uid, from, limit);
                synchronized (cursor) {
                    if (cursor.detached) {
                        return;
                    }
                    boolean paused = false;
                    for (StoredMessage message : messages) {
                        if (message.seq() <= cursor.position) {
                            continue;
                        }
                        if (cursor.client.outbox().halfFull()) {
                            paused = true; // large messages: the rest of the page is read again later
                            break;
                        }
                        if (message.seq() > cursor.position + 1) {
                            // Purged while this client was behind: say so rather than skip silently.
                            cursor.client.send(Frames.replay(cursor.uid, null, message.seq() - 1, -1, "expired", message.seq()));
                        }
                        if (cursor.client.send(Frames.durableMessage(message.messageId(), message.seq(), message.data()))) {
                            replayed.inc();
                        }
                        cursor.position = message.seq();
                    }
                    if (!paused && messages.size() < limit && cursor.pendingMax <= cursor.position) {
                        cursor.replaying = false;
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            failed(cursor, e);
        }
    }

    /**
     * Herald is stopping: replays end (each client resumes from its own position on another node or after
     * the restart), and those that fail now fail because of it.
     */
    public void stopReplays() {
        this.stopping = true;
    }

    private void failed(Cursor cursor, Exception e) {
        if (stopping) {
            detach(cursor.client);
            return;
        }
        LOG.log(Level.WARNING, "replaying the stream of uid " + cursor.uid + " to " + cursor.client
                + " failed; closing it so that it reconnects and resumes", e);
        detach(cursor.client);
        cursor.client.outbox().closeNow(CloseCodes.SERVER_ERROR.reason());
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
        } catch (RuntimeException e) {
            // Put them back (keeping any newer ones) for the next flush; a lost ack only means a replay.
            batch.forEach((uid, seq) -> acks.merge(uid, seq, Math::max));
            LOG.log(Level.WARNING, "storing " + batch.size() + " acknowledgements failed; retrying", e);
        }
    }
}
