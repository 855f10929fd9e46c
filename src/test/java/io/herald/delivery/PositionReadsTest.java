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
        public Map<String, Position> positions(List<String> keys) {
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
            return positions;
        }
    }

    private static PositionReads reads(Store store) {
        PositionReads reads = new PositionReads();
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
}
