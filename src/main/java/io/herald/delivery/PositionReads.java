package io.herald.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stream positions for the clients starting on their streams, read together: in a reconnect storm
 * thousands of clients start within a second, and a statement each would cost the store (and Herald) a
 * round trip per client. A caller that finds no read under way reads what every caller waiting then asked
 * for, in statements of a hundred streams ({@link Streams#positions}); the others wait for that read, or
 * read next. A lone client is read at once: nothing waits for company.
 */
@ApplicationScoped
public class PositionReads {

    /** Most streams read in one turn: a turn holds one connection of the pool, not for long. */
    static final int MAX_PER_TURN = 1000;
    /** How often a waiting caller looks whether it may read itself (its read's reader answers it sooner). */
    private static final long POLL_MILLIS = 5;

    @Inject
    Streams streams;

    private final Queue<Ask> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean reading = new AtomicBoolean();

    private record Ask(List<String> keys, CompletableFuture<Map<String, Streams.Position>> answer) {
    }

    /** The position of one stream ({@link Streams#position}). */
    public Streams.Position of(String key) {
        return of(List.of(key)).get(key);
    }

    /** The positions of these streams, every key in the result ({@link Streams#positions}). */
    public Map<String, Streams.Position> of(List<String> keys) {
        Ask ask = new Ask(keys, new CompletableFuture<>());
        waiting.add(ask);
        while (true) {
            if (reading.compareAndSet(false, true)) {
                try {
                    readWaiting();
                } finally {
                    reading.set(false);
                }
            }
            try {
                return ask.answer().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
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

    /** One turn: what waits now, up to {@link #MAX_PER_TURN} streams (at least one ask), in one read. */
    private void readWaiting() {
        List<Ask> taken = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        // Only the reader takes from the queue: what it peeks is what it polls.
        for (Ask ask = waiting.peek(); ask != null && (taken.isEmpty() || keys.size() + ask.keys().size() <= MAX_PER_TURN);
             ask = waiting.peek()) {
            waiting.poll();
            taken.add(ask);
            keys.addAll(ask.keys());
        }
        if (taken.isEmpty()) {
            return;
        }
        Map<String, Streams.Position> positions;
        try {
            positions = streams.positions(keys.stream().distinct().toList());
        } catch (RuntimeException | Error e) {
            taken.forEach(ask -> ask.answer().completeExceptionally(e));
            return;
        }
        for (Ask ask : taken) {
            Map<String, Streams.Position> mine = new HashMap<>();
            ask.keys().forEach(key -> mine.put(key, positions.get(key)));
            ask.answer().complete(mine);
        }
    }
}
