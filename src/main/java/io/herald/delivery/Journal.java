package io.herald.delivery;

import io.herald.metrics.Metrics;
import io.herald.background.FailureLog;
import io.herald.background.Guarded;
import io.herald.core.HeraldException;
import io.herald.core.Receipt;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit for durable pushes. Pushes wait in a bounded queue; one writer thread takes whatever has
 * gathered (up to {@code herald.durable.batch-size}) and stores it in one transaction, so concurrent
 * pushes share commits. Streams are created here (with a message, or opened for a first client), and by
 * pushes stored in a caller's own transaction (see StreamAppender.lock for how concurrent creators of the
 * same stream are kept apart).
 * Only after the commit is each push's future completed (the REST API answers 202 then) and the messages
 * handed to live delivery, in commit order, which is seq order per uid.
 *
 * <p>A list of pushes ({@link #appendAll}) is queued as a whole or not at all, contiguously, so it may be
 * stored over several commits but always in its own order; if one of its commits fails, the rest of it is
 * not stored either: what a failed list leaves stored is always a prefix of it.
 *
 * <p>What waits is bounded twice: in pushes ({@code herald.durable.queue-capacity}) and in characters of
 * their JSON data, uids and keys ({@code herald.durable.queue-max-bytes}), counted from queueing until the
 * writer is done with them, for a push may carry a megabyte. Over either bound a push gets 503 store_busy.
 * The writer survives anything it meets short of the JVM's end: a failed batch gets 503 store_unavailable,
 * and the writer goes on with the next (an OutOfMemoryError once ended it for good, and every later push
 * waited forever).
 */
@ApplicationScoped
public class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    private static final int ATTEMPTS = 3;
    /** How long the writer pauses after an unexpected failure, so that one that repeats does not spin. */
    static final long PAUSE_AFTER_FAILURE_MILLIS = 100;

    private record Pending(Append append, CompletableFuture<Receipt> receipt, Group group) {
    }

    /** The pushes queued together by one appendAll; read and written by the writer thread only. */
    private static final class Group {
        boolean failed;
    }

    @Inject
    DurableSettings settings;

    @Inject
    Streams streams;

    @Inject
    Event<Committed> committed;

    @Resource
    ManagedThreadFactory threads;

    private final FailureLog storeFailures = new FailureLog(LOG, Level.WARNING, "storing durable pushes");
    private final FailureLog deliveryFailures = new FailureLog(LOG, Level.WARNING, "live delivery of stored pushes");
    private final FailureLog writerFailures = new FailureLog(LOG, Level.SEVERE, "the durable journal's writer");
    private BlockingQueue<Pending> queue;
    private long maxChars;
    /** Characters of the pushes queued or in the writer's hands, not answered yet; added under the lock. */
    private final AtomicLong queuedChars = new AtomicLong();
    /** The part of queuedChars that the writer took off the queue with its batch; the writer's only. */
    private long heldChars;
    private Thread writer;
    private volatile boolean running;
    /**
     * Held to queue pushes and to stop: a list is queued whole (only the writer takes from the queue, so the
     * room checked under it stays), and no push is queued after stop() cleared {@code running}, so the
     * writer, which goes on until the queue is empty, sees every queued push.
     */
    private final ReentrantLock producers = new ReentrantLock();

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        maxChars = settings.queueMaxBytes();
        running = true;
        startWriter();
    }

    private void startWriter() {
        writer = threads.newThread(this::run);
        writer.setName("herald-journal");
        writer.start();
    }

    /**
     * Takes no more pushes and lets the writer store those already queued (each pusher gets its 202 or an
     * error, never silence); what is still queued after the wait fails with 503.
     */
    @PreDestroy
    void stop() {
        producers.lock();
        try {
            running = false;
        } finally {
            producers.unlock();
        }
        if (writer != null) {
            // No interrupt: a thread interrupted inside a file write closes the embedded database's
            // file channel for every user. The writer empties the queue, then sees the flag.
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Pending> left = new ArrayList<>();
        if (queue != null) {
            queue.drainTo(left);
        }
        // Not stored, so never acknowledged: the pushers get an error and may retry elsewhere.
        left.forEach(pending -> pending.receipt().completeExceptionally(unavailable("the node is stopping")));
    }

    /** Queues a push for storing; the future completes after the commit. */
    public CompletableFuture<Receipt> append(Append append) {
        return appendAll(List.of(append)).get(0);
    }

    /**
     * Queues the pushes, in order, all or none: if the queue lacks room for all of them, every future fails
     * with 503 store_busy and nothing is stored. Each future completes after its push's commit; a list
     * larger than {@code herald.durable.batch-size} spans several commits.
     */
    public List<CompletableFuture<Receipt>> appendAll(List<Append> appends) {
        List<CompletableFuture<Receipt>> receipts = new ArrayList<>(appends.size());
        List<Pending> pending = new ArrayList<>(appends.size());
        Group group = appends.size() > 1 ? new Group() : null;
        for (Append append : appends) {
            CompletableFuture<Receipt> receipt = new CompletableFuture<>();
            receipts.add(receipt);
            pending.add(new Pending(append, receipt, group));
        }
        long chars = 0;
        for (Append append : appends) {
            chars += append.chars();
        }
        HeraldException refused = null;
        producers.lock();
        try {
            if (!running) {
                refused = unavailable("the node is stopping");
            } else {
                reviveWriter(); // before the bounds, which a dead writer would keep full
                if (queue.remainingCapacity() < pending.size()) {
                    refused = busy(pending.size(), "herald.durable.queue-capacity");
                } else if (queuedChars.get() + chars > maxChars) {
                    refused = busy(pending.size(), "herald.durable.queue-max-bytes");
                } else {
                    // Cannot fail: only the writer takes from the queue, which leaves more room, not less;
                    // and it only lowers the count of characters.
                    queuedChars.addAndGet(chars);
                    pending.forEach(queue::add);
                }
            }
        } finally {
            producers.unlock();
        }
        if (refused != null) {
            HeraldException failure = refused;
            receipts.forEach(receipt -> receipt.completeExceptionally(failure));
        }
        return receipts;
    }

    private static HeraldException busy(int pushes, String bound) {
        return new HeraldException(503, "store_busy", (pushes == 1 ? "too many durable pushes"
                : "no room for " + pushes + " durable pushes at once: too many")
                + " are waiting to be stored (" + bound + "); retry");
    }

    /**
     * The writer catches whatever its work throws; should it still have died (a failure while it was
     * handling one), a new one takes over rather than leave every later push waiting. Under the lock.
     */
    private void reviveWriter() {
        if (writer != null && !writer.isAlive()) {
            LOG.severe("the durable journal's writer thread had ended; starting a new one");
            releaseHeld(); // what the dead writer held would count against the bound for ever
            startWriter();
        }
    }

    /** Pushes waiting to be stored (a gauge of the metrics). */
    public int pending() {
        BlockingQueue<Pending> waiting = queue;
        return waiting == null ? 0 : waiting.size();
    }

    private void run() {
        int batchSize = settings.batchSize();
        List<Pending> batch = new ArrayList<>(batchSize);
        // Once stopping, the writer goes on until the queue is empty: those pushes were accepted.
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                heldChars = chars(batch);
                commit(withoutFailedGroups(batch));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(pending -> fail(pending, unavailable("the node is stopping")));
                return;
            } catch (Throwable e) {
                // Anything but a store failure (store() handles those): memory short, a bug. The pushers not
                // answered yet get a 503 rather than a wait without end, and the writer carries on.
                batch.forEach(pending -> fail(pending, unavailable("the message store failed: " + e)));
                Guarded.logged(writerFailures, e, "the pushes of its batch not answered yet got 503"
                        + " store_unavailable; it goes on");
                pause();
            } finally {
                releaseHeld();
                batch.clear();
            }
        }
    }

    private static long chars(List<Pending> batch) {
        long chars = 0;
        for (Pending pending : batch) {
            chars += pending.append().chars();
        }
        return chars;
    }

    /**
     * The batch in hand is stored or failed: its characters leave the bound before its pushers are
     * answered, so that a pusher that got its answer finds the room it left.
     */
    private void releaseHeld() {
        queuedChars.addAndGet(-heldChars);
        heldChars = 0;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_AFTER_FAILURE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Fails the pushes of lists that a failed commit cut short; returns the others. */
    private static List<Pending> withoutFailedGroups(List<Pending> batch) {
        List<Pending> kept = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            if (pending.group() != null && pending.group().failed) {
                pending.receipt().completeExceptionally(unavailable(
                        "an earlier part of the same list of pushes could not be stored; this one was not stored"));
            } else {
                kept.add(pending);
            }
        }
        return kept;
    }

    private void commit(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Append> appends = batch.stream().map(Pending::append).toList();
        List<Receipt> receipts = store(appends);
        releaseHeld();
        if (receipts == null) {
            HeraldException unavailable = unavailable("the message store failed; nothing of this push was stored");
            batch.forEach(pending -> fail(pending, unavailable));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).receipt().complete(receipts.get(i));
        }
        publish(appends, receipts);
    }

    /** Stores the batch, trying again on a failure; null if every attempt failed. */
    private List<Receipt> store(List<Append> appends) {
        Exception failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return streams.append(appends);
            } catch (Exception e) {
                // A concurrent first push to a new uid on another node, or a passing database error. The
                // commit's RollbackException is checked, yet comes through the transactional proxy.
                failure = e;
                LOG.log(Level.FINE, "storing a batch of " + appends.size() + " failed (attempt " + attempt + ")", e);
            }
        }
        storeFailures.failed(failure, appends.size() + " durable pushes got 503 store_unavailable after "
                + ATTEMPTS + " attempts");
        return null;
    }

    /**
     * Fails a push that was not stored, and the rest of its list with it; a push answered already (stored,
     * and then delivery failed) stays answered and fails nothing.
     */
    private static void fail(Pending pending, Throwable failure) {
        if (pending.receipt().completeExceptionally(failure) && pending.group() != null) {
            pending.group().failed = true;
        }
    }

    /**
     * Hands the stored messages (not the streams merely opened) to live delivery. They are stored and
     * answered: a failure here costs only the live copy, which the clients then get from the store, at
     * their next catch-up or when they resume; it must neither fail nor store them again.
     */
    private void publish(List<Append> appends, List<Receipt> receipts) {
        List<Append> stored = new ArrayList<>(appends.size());
        List<Receipt> storedReceipts = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            if (!appends.get(i).opensOnly()) {
                stored.add(appends.get(i));
                storedReceipts.add(receipts.get(i));
            }
        }
        if (stored.isEmpty()) {
            return;
        }
        try {
            committed.fire(new Committed(stored, storedReceipts));
        } catch (RuntimeException e) {
            deliveryFailures.failed(e, "the clients get these " + stored.size() + " messages from the store");
        }
    }

    private static HeraldException unavailable(String message) {
        return new HeraldException(503, "store_unavailable", message);
    }

    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        metrics.gauge("herald_durable_pending_pushes", "Durable pushes waiting in this node's queue to be stored",
                this::pending);
    }
}
