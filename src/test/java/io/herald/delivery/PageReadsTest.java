package io.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pages asked for while a read is under way are read together, and each caller gets its own. */
class PageReadsTest {

    /**
     * A store whose page for uid "u<n>" after seq s holds the one message s + 1; the first read holds on
     * until every caller has asked, so that the others queue behind it.
     */
    private static final class Store extends Streams {
        final List<List<PageAsk>> turns = new CopyOnWriteArrayList<>();
        final CountDownLatch asked;
        RuntimeException failure;

        Store(int callers) {
            asked = new CountDownLatch(callers);
        }

        @Override
        public List<Page> read(List<PageAsk> asks) {
            if (turns.isEmpty()) {
                try {
                    asked.await(10, TimeUnit.SECONDS);
                    Thread.sleep(200); // and have queued
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            turns.add(asks);
            if (failure != null) {
                throw failure;
            }
            return asks.stream().map(ask -> new Page(List.of(new StoredMessage(ask.uid(), ask.afterSeq() + 1,
                    ask.uid() + ":" + (ask.afterSeq() + 1), "{}", 0)), false)).toList();
        }
    }

    private static PageReads reads(Store store) {
        PageReads reads = new PageReads();
        reads.streams = store;
        return reads;
    }

    @Test
    void callersAskingWhileAReadIsUnderWayAreReadTogetherEachGettingItsOwnPage() throws Exception {
        int callers = 40;
        Store store = new Store(callers);
        PageReads reads = reads(store);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Streams.Page>> pages = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String uid = "u" + i;
                long after = i * 10L;
                pages.add(threads.submit(() -> {
                    store.asked.countDown();
                    return reads.read(uid, after, 100, 1000, true);
                }));
            }
            for (int i = 0; i < callers; i++) {
                StoredMessage only = pages.get(i).get(20, TimeUnit.SECONDS).messages().get(0);
                assertEquals("u" + i, only.uid());
                assertEquals(i * 10L + 1, only.seq());
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(callers, store.turns.stream().mapToInt(List::size).sum(), "each page read once");
        assertTrue(store.turns.size() < callers / 2, "pages asked for meanwhile read together: " + store.turns.size()
                + " turns");
        assertTrue(store.turns.stream().allMatch(turn -> turn.size() <= PageReads.MAX_PER_TURN));
    }

    @Test
    void aLonePageIsReadAtOnceAndAFailureReachesEveryCallerOfTheTurn() {
        Store store = new Store(0);
        PageReads reads = reads(store);
        assertEquals(8, reads.read("u1", 7, 100, 1000, true).messages().get(0).seq());
        assertEquals(List.of(1), store.turns.stream().map(List::size).toList());
        store.failure = new PersistenceException("down");
        assertSame(store.failure, assertThrows(PersistenceException.class, () -> reads.read("u1", 8, 100, 1000, true)));
    }
}
