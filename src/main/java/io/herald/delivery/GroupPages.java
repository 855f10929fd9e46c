package io.herald.delivery;

import io.herald.metrics.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pages of group streams, read once for every member catching up on them. When a room's members come back
 * together (a deploy, a network blip), each asks for the same messages: read per member, a room of a
 * thousand would cost the store a thousand reads of each page. Pages here are aligned on the replay page
 * ({@code herald.durable.replay-page}): page k holds the messages after seq k × page. The first member to
 * ask reads it; the others that ask while it is kept ({@link #KEEP_MILLIS}) get that read.
 *
 * <p>A kept page is what the store held when it was read: a member that needs newer messages than it holds
 * reads the store itself ({@link Deliveries} asks for the rest). Bounded in pages and in characters of
 * data (a page's worth, {@code herald.durable.page-max-bytes}, times {@link #MAX_PAGES} / 8); past either
 * bound, pages are read and not kept.
 */
@ApplicationScoped
public class GroupPages {

    /**
     * A page is kept while members keep asking for it, up to two seconds after the last asked: long enough
     * for a room's members reconnecting together, short enough not to matter to memory.
     */
    static final long KEEP_MILLIS = 2000;
    /** And never longer than this after it was read, however popular. */
    static final long MAX_AGE_MILLIS = 30_000;
    static final int MAX_PAGES = 256;

    @Inject
    DurableSettings durable;

    @Inject
    Streams streams;

    @Inject
    Metrics metrics;

    private final Map<Key, Kept> pages = new ConcurrentHashMap<>();
    private final AtomicLong keptChars = new AtomicLong();

    private record Key(String stream, long index) {
    }

    /** One page, read by the first member that asked, and when. */
    private static final class Kept {
        final long readAt;
        final CompletableFuture<Streams.Page> page = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        /** Whether its characters are in keptChars: taken out once, whichever way it goes. */
        final AtomicBoolean counted = new AtomicBoolean();
        volatile long chars;
        volatile long askedAt;

        Kept(long readAt) {
            this.readAt = readAt;
            this.askedAt = readAt;
        }

        boolean expired(long now) {
            return now - askedAt > KEEP_MILLIS || now - readAt > MAX_AGE_MILLIS;
        }
    }

    /**
     * The aligned page of the group stream that holds the message after {@code after}: messages in seq
     * order (some may be at or before {@code after}); {@code end} as the store said when it was read.
     */
    public Streams.Page holding(String stream, long after) {
        int pageSize = durable.replayPage();
        Key key = new Key(stream, after / pageSize);
        long now = System.currentTimeMillis();
        Kept kept = pages.compute(key, (k, old) -> {
            if (old != null && !old.expired(now)) {
                old.askedAt = now;
                return old;
            }
            if (old != null) {
                uncount(old);
            }
            return new Kept(now);
        });
        if (kept.claimed.compareAndSet(false, true)) {
            read(key, kept, pageSize, now);
        }
        try {
            return kept.page.join();
        } catch (CompletionException e) {
            // The reader's failure is each waiter's: the store could not be read.
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void read(Key key, Kept kept, int pageSize, long now) {
        forgetExpired(now);
        Streams.Page page;
        try {
            page = streams.read(key.stream(), key.index() * pageSize, pageSize, durable.pageMaxBytes(), true);
            metrics.replayReads(true).inc();
        } catch (RuntimeException e) {
            pages.remove(key, kept);
            kept.page.completeExceptionally(e);
            return;
        }
        long chars = 0;
        for (StoredMessage message : page.messages()) {
            chars += message.data().length();
        }
        kept.chars = chars;
        kept.counted.set(true);
        keptChars.addAndGet(chars);
        if (keptChars.get() > maxChars() || pages.size() > MAX_PAGES || pages.get(key) != kept) {
            forget(key, kept);
        }
        kept.page.complete(page);
    }

    private long maxChars() {
        return durable.pageMaxBytes() * (MAX_PAGES / 8);
    }

    private void forgetExpired(long now) {
        List<Map.Entry<Key, Kept>> expired = new ArrayList<>();
        for (Map.Entry<Key, Kept> entry : pages.entrySet()) {
            if (entry.getValue().expired(now)) {
                expired.add(entry);
            }
        }
        expired.forEach(entry -> forget(entry.getKey(), entry.getValue()));
    }

    private void forget(Key key, Kept kept) {
        pages.remove(key, kept);
        uncount(kept);
    }

    private void uncount(Kept kept) {
        if (kept.counted.compareAndSet(true, false)) {
            keptChars.addAndGet(-kept.chars);
        }
    }
}
