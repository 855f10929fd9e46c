package io.herald.delivery;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Stream positions for the clients starting on their streams, read together: in a reconnect storm
 * thousands of clients start within a second, and a statement each would cost the store (and Herald) a
 * round trip per client. A turn reads what every caller waiting then asked for, in statements of a hundred
 * streams ({@link Streams#positions}). A client starting on its uid's stream asks and goes on
 * ({@link #opening}): its answer comes from a turn on the container's executor, one task for all the
 * clients that asked meanwhile, and a stream that does not exist is created in the same turn
 * ({@link Streams#positions(List, Set)}). In a storm those turns are at least {@link #GATHER_NANOS} apart,
 * so that each reads many clients. A caller that waits for its answer ({@link #of}) reads itself if no turn
 * is under way. A lone client is read at once: nothing waits for company.
 */
@ApplicationScoped
public class PositionReads {

    /** Most streams read in one turn: a turn holds one connection of the pool, not for long. */
    static final int MAX_PER_TURN = 1000;
    /** How often a waiting caller looks whether it may read itself (its read's reader answers it sooner). */
    private static final long POLL_MILLIS = 5;
    /** The least time between the starts of two turns for callers that do not wait, in a storm. */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * Most clients waiting for their start at once. A store that reads a thousand streams per turn is far
     * behind at this depth; past it a connecting client is refused ({@link Backlogged}) instead of adding
     * to a queue that holds its uid and its answer until a turn reaches it. Each ask holds a uid (at most
     * {@link io.herald.core.Names#MAX_LENGTH} characters) and a future: the bound in bytes follows from the bound in items.
     */
    static final int MAX_WAITING = 20_000;

    @Inject
    Streams streams;

    @Resource
    ManagedExecutorService executor;

    private final Queue<Ask> waiting = new ConcurrentLinkedQueue<>();
    /** The asks of callers that do not wait in {@link #waiting}: those are the ones a storm can multiply. */
    private final AtomicInteger waitingOpens = new AtomicInteger();
    /** A turn is being read: only its holder takes from {@link #waiting}. */
    private final AtomicBoolean reading = new AtomicBoolean();
    /** A task for callers that do not wait is queued or running. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastTurnEnded = System.nanoTime() - GATHER_NANOS;

    /** {@code open}: streams of these keys that do not exist are created, where the store can. */
    private record Ask(List<String> keys, boolean open, CompletableFuture<Answer> answer) {
    }

    private record Answer(Map<String, Streams.Position> positions, Set<String> created) {
    }

    /** A stream's position, and whether this read created the stream. */
    public record Start(Streams.Position position, boolean created) {
    }

    /** The position of one stream ({@link Streams#positions}). */
    public Streams.Position of(String key) {
        return of(List.of(key)).get(key);
    }

    /** The positions of these streams, every key in the result ({@link Streams#positions}); waits for them. */
    public Map<String, Streams.Position> of(List<String> keys) {
        Ask ask = new Ask(keys, false, new CompletableFuture<>());
        waiting.add(ask);
        while (true) {
            if (reading.compareAndSet(false, true)) {
                try {
                    readWaiting();
                } finally {
                    reading.set(false);
                }
            }
            readSoon(); // those that asked meanwhile and do not wait
            try {
                return ask.answer().get(POLL_MILLIS, TimeUnit.MILLISECONDS).positions();
            } catch (TimeoutException e) {
                // its read is not done, or no one has taken it yet: look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading stream positions", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
            }
        }
    }

    /**
     * The position of a uid's stream, created in the same turn if it does not exist and the store can create
     * streams together ({@link Streams#opensTogether}); otherwise a missing stream's position has a null
     * epoch, and the caller opens it through the journal. Completes on the reading thread (or at once on the
     * caller's, if the answer is there already): what follows it must be quick and must not wait. Fails with
     * {@link RejectedExecutionException} if the executor takes no turn (stopping, or saturated), with
     * {@link Backlogged} at once if more than {@link #MAX_WAITING} clients wait already.
     */
    public CompletableFuture<Start> opening(String key) {
        int depth = waitingOpens.incrementAndGet();
        if (depth > MAX_WAITING) {
            waitingOpens.decrementAndGet();
            return CompletableFuture.failedFuture(new Backlogged((depth - 1) + " clients wait for their stream positions"
                    + " (at most " + MAX_WAITING + "): the store does not keep up with the connects"));
        }
        Ask ask = new Ask(List.of(key), true, new CompletableFuture<>());
        waiting.add(ask);
        readSoon();
        return ask.answer().thenApply(answer -> new Start(answer.positions().get(key), answer.created().contains(key)));
    }

    /** Made at start, as {@link Database#start}: its executor is looked up where the application's names are. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // injected
    }

    /** Where turns for callers that do not wait run. */
    Executor readers() {
        return executor;
    }

    /**
     * In a storm, when a turn ended moments ago, waits out the rest of {@link #GATHER_NANOS} so that the next
     * turn reads more clients at once: a turn costs Herald a connection from the pool and two statements
     * whether it reads five streams or five hundred. A client alone is read at once.
     */
    private void gather() {
        long wait = GATHER_NANOS - (System.nanoTime() - lastTurnEnded);
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /**
     * Sees that a task will read what waits for callers that do not wait, unless one is queued or running
     * already (it looks again before it ends, so nothing that asked is left waiting). Only an active turn
     * holds {@link #reading}, never a queued task: a caller that waits, on an executor thread that the queued
     * task would need, reads itself and so can never wait for that task.
     */
    private void readSoon() {
        if (waiting.isEmpty() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            readers().execute(this::readUntilEmpty);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            // Callers that do not wait are told (their clients are closed and come back); those that wait read
            // themselves. Only a turn's holder takes from the queue.
            if (reading.compareAndSet(false, true)) {
                try {
                    waiting.removeIf(ask -> ask.open() && taken(ask) && ask.answer().completeExceptionally(e));
                } finally {
                    reading.set(false);
                }
            }
        }
    }

    private void readUntilEmpty() {
        try {
            while (!waiting.isEmpty()) {
                gather();
                if (reading.compareAndSet(false, true)) {
                    try {
                        readWaiting();
                    } finally {
                        lastTurnEnded = System.nanoTime();
                        reading.set(false);
                    }
                } else {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a caller that waits reads a turn
                }
            }
        } finally {
            scheduled.set(false);
        }
        readSoon(); // what came after the last look
    }

    /** Counts an ask out of {@link #waiting}; always true. */
    private boolean taken(Ask ask) {
        if (ask.open()) {
            waitingOpens.decrementAndGet();
        }
        return true;
    }

    /** How many clients wait for their start now. */
    int waitingOpens() {
        return waitingOpens.get();
    }

    /** One turn: what waits now, up to {@link #MAX_PER_TURN} streams (at least one ask), in one read. */
    private void readWaiting() {
        List<Ask> taken = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        // Only the reader takes from the queue: what it peeks is what it polls.
        for (Ask ask = waiting.peek(); ask != null && (taken.isEmpty() || keys.size() + ask.keys().size() <= MAX_PER_TURN);
             ask = waiting.peek()) {
            waiting.poll();
            taken(ask);
            taken.add(ask);
            keys.addAll(ask.keys());
        }
        if (taken.isEmpty()) {
            return;
        }
        Streams.Read read;
        try {
            Set<String> opening = new HashSet<>();
            taken.stream().filter(Ask::open).forEach(ask -> opening.addAll(ask.keys()));
            read = streams.positions(keys.stream().distinct().toList(), opening);
        } catch (RuntimeException | Error e) {
            taken.forEach(ask -> ask.answer().completeExceptionally(e));
            return;
        }
        for (Ask ask : taken) {
            Map<String, Streams.Position> mine = new HashMap<>();
            ask.keys().forEach(key -> mine.put(key, read.positions().get(key)));
            ask.answer().complete(new Answer(mine, read.created()));
        }
    }
}
