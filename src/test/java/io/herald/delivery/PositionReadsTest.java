package io.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Positions asked for together are read together, and each caller gets its own. */
class PositionReadsTest {

    /** A store whose stream "k<n>" stands at seq n; the first read waits until every caller has asked. */
    private static final class Store extends Streams {
        final List<Integer> reads = new CopyOnWriteArrayList<>();
        final CountDownLatch asked;
        RuntimeException failure;

        Store(int callers) {
            asked = new CountDownLatch(callers);
        }

        @Override
        public Read positions(List<String> keys, java.util.Set<String> opening) {
            if (failure != null) {
                throw failure;
            }
            try {
                if (reads.isEmpty()) {
                    asked.await(10, TimeUnit.SECONDS);
                    Thread.sleep(200); // and have queued
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reads.add(keys.size());
            Map<String, Position> positions = new HashMap<>();
            keys.forEach(key -> positions.put(key, new Position("e", Long.parseLong(key.substring(1)), 0, 0)));
            return new Read(positions, java.util.Set.of());
        }
    }

    /** Turns for callers that do not wait run on the thread that asks for one. */
    private static PositionReads reads(Store store) {
        PositionReads reads = new PositionReads() {
            @Override
            java.util.concurrent.Executor readers() {
                return Runnable::run;
            }
        };
        reads.streams = store;
        return reads;
    }

    @Test
    void callersAskingTogetherAreReadTogetherEachGettingItsOwn() throws Exception {
        int callers = 40;
        Store store = new Store(callers);
        PositionReads reads = reads(store);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Streams.Position>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String key = "k" + i;
                answers.add(threads.submit(() -> {
                    store.asked.countDown();
                    return reads.of(key);
                }));
            }
            for (int i = 0; i < callers; i++) {
                assertEquals(i, answers.get(i).get(20, TimeUnit.SECONDS).lastSeq());
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(callers, store.reads.stream().mapToInt(Integer::intValue).sum(), "each stream read once");
        assertTrue(store.reads.size() < callers, "some read together: " + store.reads);
    }

    @Test
    void aLoneCallerIsReadAtOnceAndAFailureReachesEveryCallerOfTheRead() {
        Store store = new Store(0);
        PositionReads reads = reads(store);
        assertEquals(Map.of("k1", 1L, "k2", 2L), Map.of("k1", reads.of(List.of("k1", "k2")).get("k1").lastSeq(),
                "k2", reads.of("k2").lastSeq()));
        store.failure = new PersistenceException("down");
        assertSame(store.failure, assertThrows(PersistenceException.class, () -> reads.of("k3")));
    }

    /**
     * Streams "k<n>" exist; "new<n>" do not, and are created when a read may open them, except "taken<n>",
     * created meanwhile by another writer.
     */
    private static final class OpeningStore extends Streams {
        final List<List<String>> opened = new CopyOnWriteArrayList<>();
        final List<List<String>> reads = new CopyOnWriteArrayList<>();

        @Override
        public Read positions(List<String> keys, java.util.Set<String> opening) {
            reads.add(keys);
            Map<String, Position> positions = new HashMap<>();
            java.util.Set<String> created = new java.util.HashSet<>();
            for (String key : keys) {
                positions.put(key, key.startsWith("k") ? new Position("old", 7, 0, 0) : new Position(null, 0, 0, 0));
            }
            List<String> missing = keys.stream().filter(opening::contains).filter(key -> !key.startsWith("k")).toList();
            if (!missing.isEmpty()) {
                opened.add(missing);
            }
            for (String key : missing) {
                boolean mine = key.startsWith("new");
                positions.put(key, new Position(mine ? "fresh" : "old", mine ? 0 : 7, 0, 0));
                if (mine) {
                    created.add(key);
                }
            }
            return new Read(positions, created);
        }
    }

    /** Reads on a pool of its own, as the container's executor would. */
    private static PositionReads readingOn(ExecutorService pool, Streams store) {
        PositionReads reads = new PositionReads() {
            @Override
            java.util.concurrent.Executor readers() {
                return pool;
            }
        };
        reads.streams = store;
        return reads;
    }

    @Test
    void openingCreatesOnlyMissingStreamsAndSaysWhichItCreated() throws Exception {
        OpeningStore store = new OpeningStore();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            openOneAfterAnother(store, readingOn(pool, store));
        } finally {
            pool.shutdownNow();
        }
    }

    private static PositionReads.Start opened(PositionReads reads, String key) throws Exception {
        return reads.opening(key).get(10, TimeUnit.SECONDS);
    }

    private static void openOneAfterAnother(OpeningStore store, PositionReads reads) throws Exception {
        PositionReads.Start existing = opened(reads, "k1");
        assertEquals("old", existing.position().epoch());
        assertEquals(false, existing.created());
        assertTrue(store.opened.isEmpty(), "an existing stream is not created: " + store.opened);

        PositionReads.Start fresh = opened(reads, "new1");
        assertEquals("fresh", fresh.position().epoch());
        assertTrue(fresh.created());
        assertEquals(List.of(List.of("new1")), store.opened);

        PositionReads.Start raced = opened(reads, "taken1");
        assertEquals("old", raced.position().epoch(), "created by another writer meanwhile: read again");
        assertEquals(false, raced.created());

        assertEquals(null, reads.of("new2").epoch(), "a plain read creates nothing");
        assertEquals(2, store.opened.size());
    }

    @Test
    void manyStartingTogetherAreEachAnsweredAndReadInFewTurns() throws Exception {
        int clients = 2000;
        OpeningStore store = new OpeningStore();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            PositionReads reads = readingOn(pool, store);
            List<Future<java.util.concurrent.CompletableFuture<PositionReads.Start>>> asked = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String key = (i % 2 == 0 ? "k" : "new") + i;
                asked.add(callers.submit(() -> reads.opening(key)));
            }
            for (int i = 0; i < clients; i++) {
                PositionReads.Start start = asked.get(i).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
                assertEquals(i % 2 == 0 ? "old" : "fresh", start.position().epoch());
                assertEquals(i % 2 != 0, start.created());
            }
        } finally {
            callers.shutdownNow();
            pool.shutdownNow();
        }
        assertEquals(clients, store.reads.stream().mapToInt(List::size).sum(), "each stream read once");
        assertEquals(clients / 2, store.opened.stream().mapToInt(List::size).sum(), "each missing stream created once");
    }

    @Test
    void aStartTheExecutorRefusesFailsWithTheRefusal() {
        OpeningStore store = new OpeningStore();
        PositionReads reads = new PositionReads() {
            @Override
            java.util.concurrent.Executor readers() {
                return task -> {
                    throw new java.util.concurrent.RejectedExecutionException("stopping");
                };
            }
        };
        reads.streams = store;
        java.util.concurrent.ExecutionException failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> reads.opening("k1").get(10, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof java.util.concurrent.RejectedExecutionException, failure.toString());
        assertEquals(1, reads.of("k1").lastSeq() == 7 ? 1 : 0, "a caller that waits still reads itself");
    }

    @Test
    void aCallerThatWaitsOnTheOnlyExecutorThreadIsNotStuckBehindTheTaskQueuedForOthers() throws Exception {
        OpeningStore store = new OpeningStore();
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            PositionReads reads = readingOn(single, store);
            CountDownLatch go = new CountDownLatch(1);
            // The executor's one thread waits for a position, while the task that would read for a client
            // that does not wait is queued behind it: the waiting caller must read itself (and for the other).
            Future<Streams.Position> waiting = single.submit(() -> {
                go.await();
                return reads.of("k1");
            });
            java.util.concurrent.CompletableFuture<PositionReads.Start> opening = reads.opening("new1");
            go.countDown();
            assertEquals("old", waiting.get(10, TimeUnit.SECONDS).epoch());
            assertEquals("fresh", opening.get(10, TimeUnit.SECONDS).position().epoch());
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void pastTheMostThatMayWaitAConnectingClientIsRefusedAtOnceAndTheQueueStaysBounded() throws Exception {
        OpeningStore store = new OpeningStore();
        List<Runnable> queued = new ArrayList<>();
        PositionReads reads = new PositionReads() {
            @Override
            java.util.concurrent.Executor readers() {
                return queued::add; // a store far behind: no turn runs until the test says so
            }
        };
        reads.streams = store;
        List<java.util.concurrent.CompletableFuture<PositionReads.Start>> waiting = new ArrayList<>();
        for (int i = 0; i < PositionReads.MAX_WAITING; i++) {
            waiting.add(reads.opening("k" + i));
        }
        java.util.concurrent.CompletableFuture<PositionReads.Start> refused = reads.opening("k-over");
        java.util.concurrent.ExecutionException failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> refused.get(1, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof Backlogged, failure.toString());
        assertEquals(PositionReads.MAX_WAITING, reads.waitingOpens());

        queued.remove(0).run(); // the store catches up: every waiting client is answered, and room is made
        assertTrue(waiting.stream().allMatch(answer -> answer.isDone() && !answer.isCompletedExceptionally()));
        assertEquals(0, reads.waitingOpens());
        assertTrue(!reads.opening("k1").isDone(), "once there is room a client waits for a turn, not refused");
    }
}
