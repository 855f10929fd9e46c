package io.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pages asked for while a turn reads are read together in the next, and each caller gets its own. */
class PageReadsTest {

    /**
     * A store whose page for uid "u<n>" after seq s holds the one message s + 1; its first read holds on
     * until the test lets it go, so that the pages asked for meanwhile queue behind it.
     */
    private static final class Store extends Streams {
        final List<List<PageAsk>> turns = new CopyOnWriteArrayList<>();
        final CountDownLatch go = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        RuntimeException failure;

        @Override
        public List<Page> read(List<PageAsk> asks) {
            if (turns.isEmpty()) {
                entered.countDown();
                try {
                    go.await(10, TimeUnit.SECONDS);
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

    private static PageReads reads(Store store, Executor readers) {
        PageReads reads = new PageReads() {
            @Override
            Executor readers() {
                return readers;
            }
        };
        reads.streams = store;
        return reads;
    }

    private static Streams.PageAsk page(String uid, long after, long maxChars) {
        return new Streams.PageAsk(uid, after, 100, maxChars, true);
    }

    @Test
    void pagesAskedForWhileATurnReadsAreReadTogetherEachCallerGettingItsOwn() throws Exception {
        int callers = 250;
        Store store = new Store();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            PageReads reads = reads(store, pool);
            List<CompletableFuture<Streams.Page>> pages = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                pages.add(reads.reading(page("u" + i, i * 10L, 1000)));
                if (i == 0) {
                    assertTrue(store.entered.await(10, TimeUnit.SECONDS), "the first page is read at once");
                }
            }
            store.go.countDown();
            for (int i = 0; i < callers; i++) {
                StoredMessage only = pages.get(i).get(10, TimeUnit.SECONDS).messages().get(0);
                assertEquals("u" + i, only.uid());
                assertEquals(i * 10L + 1, only.seq());
            }
        } finally {
            pool.shutdownNow();
        }
        List<Integer> sizes = store.turns.stream().map(List::size).toList();
        assertEquals(callers, sizes.stream().mapToInt(Integer::intValue).sum(), "each page read once");
        assertEquals(List.of(1, PageReads.MAX_PER_TURN, PageReads.MAX_PER_TURN, callers - 1 - 2 * PageReads.MAX_PER_TURN),
                sizes, "the first alone, then those asked meanwhile, a hundred per turn");
    }

    @Test
    void aTurnHoldsAtMostItsCharactersButAlwaysOnePage() throws Exception {
        Store store = new Store();
        store.go.countDown();
        List<Runnable> queued = new ArrayList<>();
        PageReads reads = reads(store, queued::add);
        long big = PageReads.MAX_CHARS_PER_TURN / 3;
        List<CompletableFuture<Streams.Page>> pages = new ArrayList<>();
        pages.add(reads.reading(page("huge", 0, PageReads.MAX_CHARS_PER_TURN * 2)));
        for (int i = 0; i < 7; i++) {
            pages.add(reads.reading(page("u" + i, 0, big)));
        }
        assertEquals(1, queued.size(), "one task reads every turn");
        queued.remove(0).run();
        assertEquals(List.of(1, 3, 3, 1), store.turns.stream().map(List::size).toList());
        assertTrue(pages.stream().allMatch(CompletableFuture::isDone));
    }

    @Test
    void aFailureReachesEveryPageOfTheTurnAndARefusedTaskEveryPageWaiting() throws Exception {
        Store store = new Store();
        store.go.countDown();
        store.failure = new PersistenceException("down");
        PageReads reads = reads(store, Runnable::run);
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> reads.reading(page("u1", 7, 1000)).get(10, TimeUnit.SECONDS));
        assertSame(store.failure, failed.getCause());

        PageReads refusing = reads(store, task -> {
            throw new RejectedExecutionException("stopping");
        });
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> refusing.reading(page("u1", 7, 1000)).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof RejectedExecutionException, refused.toString());
    }

    @Test
    void pastItsBoundAPageIsRefusedAtOnceAndTheQueueDoesNotGrow() throws Exception {
        Store store = new Store();
        store.go.countDown();
        List<Runnable> queued = new ArrayList<>();
        PageReads reads = reads(store, queued::add); // a store far behind: no turn runs until the test says so
        List<CompletableFuture<Streams.Page>> waiting = new ArrayList<>();
        for (int i = 0; i < PageReads.MAX_WAITING; i++) {
            waiting.add(reads.reading(page("u" + i, 0, 1000)));
        }
        CompletableFuture<Streams.Page> refused = reads.reading(page("u-over", 0, 1000));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof Backlogged, failure.toString());
        assertEquals(PageReads.MAX_WAITING, reads.waiting());

        queued.remove(0).run(); // the store catches up: every page waiting is read, and room is made
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals("u" + i, waiting.get(i).get(10, TimeUnit.SECONDS).messages().get(0).uid());
        }
        assertEquals(0, reads.waiting());
        assertEquals("u-again", readNow(reads, queued, page("u-again", 0, 1000)).messages().get(0).uid());
    }

    private static Streams.Page readNow(PageReads reads, List<Runnable> queued, Streams.PageAsk ask) throws Exception {
        CompletableFuture<Streams.Page> answer = reads.reading(ask);
        while (!queued.isEmpty()) {
            queued.remove(0).run();
        }
        return answer.get(10, TimeUnit.SECONDS);
    }
}
