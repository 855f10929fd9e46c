package io.herald.delivery;

import io.herald.metrics.Metrics;
import io.herald.config.HeraldConfig;
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
 */
@ApplicationScoped
public class Journal {

    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    private static final int ATTEMPTS = 3;

    private record Pending(Append append, CompletableFuture<Receipt> receipt, Group group) {
    }

    /** The pushes queued together by one appendAll; read and written by the writer thread only. */
    private static final class Group {
        boolean failed;
    }

    @Inject
    HeraldConfig config;

    @Inject
    Streams streams;

    @Inject
    Event<Committed> committed;

    @Resource
    ManagedThreadFactory threads;

    private BlockingQueue<Pending> queue;
    private Thread writer;
    private volatile boolean running;
    /**
     * Held to queue pushes and to stop: a list is queued whole (only the writer takes from the queue, so the
     * room checked under it stays), and no push is queued after stop() cleared {@code running}, so the
     * writer, which goes on until the queue is empty, sees every queued push.
     */
    private final ReentrantLock producers = new ReentrantLock();

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        queue = new ArrayBlockingQueue<>(config.durableQueueCapacity());
        running = true;
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
        HeraldException refused = null;
        producers.lock();
        try {
            if (!running) {
                refused = unavailable("the node is stopping");
            } else if (queue.remainingCapacity() < pending.size()) {
                refused = new HeraldException(503, "store_busy", (pending.size() == 1 ? "too many durable pushes"
                        : "no room for " + pending.size() + " durable pushes at once: too many")
                        + " are waiting to be stored (herald.durable.queue-capacity); retry");
            } else {
                // Cannot fail: only the writer takes from the queue, which leaves more room, not less.
                pending.forEach(queue::add);
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

    /** Pushes waiting to be stored (a gauge of the metrics). */
    public int pending() {
        BlockingQueue<Pending> waiting = queue;
        return waiting == null ? 0 : waiting.size();
    }

    private void run() {
        int batchSize = config.durableBatchSize();
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
                commit(withoutFailedGroups(batch));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(pending -> pending.receipt().completeExceptionally(unavailable("the node is stopping")));
                return;
            } catch (Exception e) {
                // commit() handles store failures; anything else must not end the writer.
                LOG.log(Level.SEVERE, "durable journal writer failed; continuing", e);
                batch.forEach(pending -> fail(pending, e));
            } finally {
                batch.clear();
            }
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
        Exception failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            List<Receipt> receipts;
            try {
                receipts = streams.append(appends);
            } catch (Exception e) {
                // A concurrent first push to a new uid on another node, or a passing database error. The
                // commit's RollbackException is checked, yet comes through the transactional proxy.
                failure = e;
                LOG.log(Level.FINE, "storing a batch of " + batch.size() + " failed (attempt " + attempt + ")", e);
                continue;
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).receipt().complete(receipts.get(i));
            }
            publish(appends, receipts);
            return;
        }
        LOG.log(Level.WARNING, "storing " + batch.size() + " durable pushes failed after " + ATTEMPTS
                + " attempts; the pushers get 503: " + failure, failure);
        HeraldException unavailable = unavailable("the message store failed: " + failure.getMessage());
        batch.forEach(pending -> fail(pending, unavailable));
    }

    /** Fails a push that was not stored, and the rest of its list with it. */
    private static void fail(Pending pending, Throwable failure) {
        if (pending.group() != null) {
            pending.group().failed = true;
        }
        pending.receipt().completeExceptionally(failure);
    }

    /**
     * Hands the stored messages (not the streams merely opened) to live delivery, here on the writer thread
     * so that it sees commits in their order. They are stored: a failure here only delays them until the
     * clients' next catch-up from the store.
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
        if (!stored.isEmpty()) {
            try {
                committed.fire(new Committed(stored, storedReceipts));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handing " + stored.size() + " committed messages to live delivery failed;"
                        + " their clients get them from the store when they next catch up or reconnect", e);
            }
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
