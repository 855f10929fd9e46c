package io.herald.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Replay pages of clients catching up at the same time, read together: in a resume storm thousands of
 * clients replay at once, each page a round trip or two to the store and a connection of the pool. The
 * catch-ups that ask while a read is under way wait for it to end; the first of them then reads the pages
 * of all of them in one {@link Streams#read(List)}. Nothing waits for company: a page asked for alone is
 * read at once, and a turn is never delayed to gather more.
 *
 * <p>The callers read for each other, on their own threads: no task is queued for an executor that the
 * callers may be occupying (a turn for others queued behind callers that wait for it could never run).
 * What waits is bounded by the callers' threads, each waiting for its own page.
 */
@ApplicationScoped
public class PageReads {

    /** Most pages read in one turn: at most this many pages' data ({@code herald.durable.page-max-bytes}) at once. */
    static final int MAX_PER_TURN = 100;

    @Inject
    Streams streams;

    private final Queue<Ask> waiting = new ConcurrentLinkedQueue<>();
    /** Held by the caller reading a turn; only it takes from {@link #waiting}. */
    private final ReentrantLock turn = new ReentrantLock();

    private record Ask(Streams.PageAsk page, CompletableFuture<Streams.Page> answer) {
    }

    /** The page {@link Streams#read(String, long, int, long, boolean)} reads, read with those asked meanwhile. */
    public Streams.Page read(String uid, long afterSeq, int limit, long maxChars, boolean firstAlways) {
        Ask ask = new Ask(new Streams.PageAsk(uid, afterSeq, limit, maxChars, firstAlways), new CompletableFuture<>());
        waiting.add(ask);
        while (!ask.answer().isDone()) {
            turn.lock();
            try {
                // The turn that just ended may have read this page too.
                if (!ask.answer().isDone()) {
                    readWaiting();
                }
            } finally {
                turn.unlock();
            }
        }
        try {
            return ask.answer().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** One turn: the pages asked for now, up to {@link #MAX_PER_TURN}, in one read. */
    private void readWaiting() {
        List<Ask> taken = new ArrayList<>();
        for (Ask ask = waiting.poll(); ask != null; ask = taken.size() < MAX_PER_TURN ? waiting.poll() : null) {
            taken.add(ask);
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
