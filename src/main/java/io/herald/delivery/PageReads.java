package io.herald.delivery;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replay pages of clients catching up at the same time, read together: in a resume storm thousands of
 * clients replay at once, and a page each would cost the store two round trips and Herald a connection of
 * the pool, per client. A catch-up asks for its page and lets its thread go ({@link #reading}); one task on
 * the container's executor reads, turn after turn, the pages asked for meanwhile, in one
 * {@link Streams#read(List)} per turn. Nothing waits for company: a page asked for alone is read at once,
 * and the pages asked for while a turn reads make the next one.
 *
 * <p>What waits is one page per client catching up (a catch-up asks for its next page only once it has
 * sent the last one). A turn reads at most {@link #MAX_PER_TURN} pages and, counted by the characters
 * each may hold ({@code herald.durable.page-max-bytes} at most), {@link #MAX_CHARS_PER_TURN}: a turn
 * holds its pages' data until the catch-ups have queued it for their clients.
 */
@ApplicationScoped
public class PageReads {

    /** Most pages read in one turn: the statements' arrays stay small. */
    static final int MAX_PER_TURN = 100;
    /** Most characters of data the pages of one turn may hold together (the first page always goes). */
    static final long MAX_CHARS_PER_TURN = 16L << 20;
    /**
     * Most pages waiting at once: one per cursor catching up, and a client may have a cursor per group as
     * well as its uid's. A store that reads a hundred pages per turn is far behind at this depth; past it a
     * catch-up is refused ({@link Backlogged}), its client closed with 1013 to come back later, instead of
     * growing the queue. Each ask holds a stream key and a future: the bound in bytes follows from it.
     */
    static final int MAX_WAITING = 50_000;

    @Inject
    Streams streams;

    @Resource
    ManagedExecutorService executor;

    private final Queue<Ask> waiting = new ConcurrentLinkedQueue<>();
    /** The size of {@link #waiting}, which a concurrent queue does not count cheaply. */
    private final AtomicInteger waitingCount = new AtomicInteger();
    /** A task that reads turns is queued or running: only it takes from {@link #waiting}. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private record Ask(Streams.PageAsk page, CompletableFuture<Streams.Page> answer) {
    }

    /**
     * The page {@link Streams#read(String, long, int, long, boolean)} reads, read with those asked for
     * meanwhile. Completes on the reading task's thread: what follows it must be quick and must not wait.
     * Fails with {@link RejectedExecutionException} if the executor takes no task (stopping, or saturated),
     * with {@link Backlogged} at once if {@link #MAX_WAITING} pages wait already.
     */
    public CompletableFuture<Streams.Page> reading(Streams.PageAsk page) {
        int depth = waitingCount.incrementAndGet();
        if (depth > MAX_WAITING) {
            waitingCount.decrementAndGet();
            return CompletableFuture.failedFuture(new Backlogged((depth - 1) + " replay pages wait to be read"
                    + " (at most " + MAX_WAITING + "): the store does not keep up with the clients catching up"));
        }
        Ask ask = new Ask(page, new CompletableFuture<>());
        waiting.add(ask);
        readSoon();
        return ask.answer();
    }

    /** Pages waiting to be read now. */
    int waiting() {
        return waitingCount.get();
    }

    /** Made at start, as {@link Database#start}: its executor is looked up where the application's names are. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // injected
    }

    /** Where the turns run. */
    Executor readers() {
        return executor;
    }

    /** Sees that a task reads what waits, unless one is queued or running (it looks again before it ends). */
    private void readSoon() {
        if (waiting.isEmpty() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            readers().execute(this::readUntilEmpty);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            // No task will read them: their clients are closed, and resume elsewhere or later.
            for (Ask ask = waiting.poll(); ask != null; ask = waiting.poll()) {
                waitingCount.decrementAndGet();
                ask.answer().completeExceptionally(e);
            }
        }
    }

    private void readUntilEmpty() {
        try {
            while (!waiting.isEmpty()) {
                readWaiting();
            }
        } finally {
            scheduled.set(false);
        }
        readSoon(); // what came after the last look
    }

    /** One turn: the pages asked for now, within the turn's bounds (at least one), in one read. */
    private void readWaiting() {
        List<Ask> taken = new ArrayList<>();
        long chars = 0;
        for (Ask ask = waiting.peek(); ask != null && taken.size() < MAX_PER_TURN
                && (taken.isEmpty() || chars + ask.page().maxChars() <= MAX_CHARS_PER_TURN); ask = waiting.peek()) {
            waiting.poll();
            waitingCount.decrementAndGet();
            taken.add(ask);
            chars += ask.page().maxChars();
        }
        if (taken.isEmpty()) {
            return;
        }
        List<Streams.Page> pages;
        try {
            pages = streams.read(taken.stream().map(Ask::page).toList());
        } catch (RuntimeException | Error e) {
            taken.forEach(ask -> ask.answer().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < taken.size(); i++) {
            taken.get(i).answer().complete(pages.get(i));
        }
    }
}
