package io.herald.delivery;

import io.herald.config.Settings;
import io.herald.core.HeraldException;
import io.herald.core.Receipt;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.event.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's writer outlives whatever its work throws (each push still gets an answer), and what waits
 * is bounded in characters as well as in pushes.
 */
class JournalTest {

    private static final long WAIT_SECONDS = 10;

    /** A store whose behaviour per call the test decides; it records what it stored. */
    private static final class FakeStreams extends Streams {
        final List<Append> stored = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile Function<Integer, RuntimeException> failure = call -> null;
        volatile Error error;
        volatile CountDownLatch gate;

        @Override
        public List<Receipt> append(List<Append> batch) {
            int call = calls.incrementAndGet();
            CountDownLatch waitFor = gate;
            if (waitFor != null) {
                try {
                    waitFor.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Error thrown = error;
            if (thrown != null) {
                error = null;
                throw thrown;
            }
            RuntimeException failed = failure.apply(call);
            if (failed != null) {
                throw failed;
            }
            List<Receipt> receipts = new ArrayList<>();
            for (Append append : batch) {
                stored.add(append);
                receipts.add(new Receipt(append.messageId(), Map.of(append.streams().get(0), (long) stored.size())));
            }
            return receipts;
        }
    }

    /** Live delivery as the journal sees it: the Committed events it fires. */
    private static final class FakeDeliveries {
        final List<Append> published = new CopyOnWriteArrayList<>();
        volatile Error error;

        @SuppressWarnings("unchecked")
        Event<Committed> event() {
            return (Event<Committed>) Proxy.newProxyInstance(JournalTest.class.getClassLoader(),
                    new Class<?>[]{Event.class}, (self, method, args) -> {
                        if (!method.getName().equals("fire")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        Error thrown = error;
                        if (thrown != null) {
                            error = null;
                            throw thrown;
                        }
                        published.addAll(((Committed) args[0]).appends());
                        return args[0];
                    });
        }
    }

    private final FakeStreams streams = new FakeStreams();
    private final FakeDeliveries deliveries = new FakeDeliveries();
    private final List<Thread> writers = new CopyOnWriteArrayList<>();
    /** Threads the factory makes that end at once instead of running the writer (a writer that died). */
    private final AtomicInteger deadWriters = new AtomicInteger();
    private Journal journal;

    private Journal journal(int capacity, long maxBytes) {
        journal = new Journal();
        journal.settings = DurableSettings.from(Settings.of(Map.of("herald.durable.queue-capacity", String.valueOf(capacity),
                "herald.durable.queue-max-bytes", String.valueOf(maxBytes), "herald.durable.batch-size", "10")));
        journal.streams = streams;
        journal.committed = deliveries.event();
        journal.threads = (ManagedThreadFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ManagedThreadFactory.class}, (self, method, args) -> {
                    if (method.getName().equals("newThread")) {
                        Runnable work = deadWriters.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? () -> { } : (Runnable) args[0];
                        Thread thread = new Thread(work);
                        thread.setDaemon(true);
                        writers.add(thread);
                        return thread;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        journal.start(null);
        return journal;
    }

    @AfterEach
    void stop() {
        CountDownLatch gate = streams.gate;
        if (gate != null) {
            gate.countDown();
        }
        if (journal != null) {
            journal.stop();
        }
    }

    private static int counter;

    private static Append push(String uid, int dataChars) {
        return new Append("m" + (++counter), List.of(uid), "\"" + "x".repeat(Math.max(0, dataChars - 2)) + "\"", null);
    }

    private static Receipt answer(CompletableFuture<Receipt> receipt) throws Exception {
        return receipt.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static HeraldException refusal(CompletableFuture<Receipt> receipt) throws Exception {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> answer(receipt));
        return assertInstanceOf(HeraldException.class, failed.getCause());
    }

    @Test
    void anErrorFromTheStoreCostsThatBatchA503AndTheWriterAnswersTheNextPush() throws Exception {
        journal(100, 1_000_000);
        streams.error = new OutOfMemoryError("Java heap space (simulated)");

        HeraldException refused = refusal(journal.append(push("u", 10)));
        assertEquals(503, refused.status());
        assertEquals("store_unavailable", refused.code());

        Append next = push("u", 10);
        assertEquals(next.messageId(), answer(journal.append(next)).id(), "the writer goes on");
        assertEquals(List.of(next), streams.stored);
        assertEquals(1, writers.size(), "the same writer thread, still alive");
        assertTrue(writers.get(0).isAlive());
    }

    @Test
    void anErrorAfterTheCommitLeavesThePushStoredAndAnsweredOnce() throws Exception {
        journal(100, 1_000_000);
        deliveries.error = new StackOverflowError("simulated");

        Append first = push("u", 10);
        assertEquals(first.messageId(), answer(journal.append(first)).id(), "stored, so answered 202");
        Append second = push("u", 10);
        assertEquals(second.messageId(), answer(journal.append(second)).id());
        assertEquals(List.of(first, second), streams.stored, "nothing stored twice");
        // Published after the answer: wait for it.
        waitFor(() -> !deliveries.published.isEmpty());
        assertEquals(List.of(second), deliveries.published);
    }

    @Test
    void aWriterThatDiedAnywayIsReplacedByTheNextPush() throws Exception {
        deadWriters.set(1);
        journal(100, 1_000_000);
        writers.get(0).join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(writers.get(0).isAlive());

        Append push = push("u", 10);
        assertEquals(push.messageId(), answer(journal.append(push)).id(), "answered by a new writer");
        assertEquals(2, writers.size());
    }

    @Test
    void aStoreThatKeepsFailingGets503StoreUnavailableAndTheWriterRecoversWithIt() throws Exception {
        journal(100, 1_000_000);
        streams.failure = call -> call <= 3 ? new IllegalStateException("database down") : null;

        assertEquals("store_unavailable", refusal(journal.append(push("u", 10))).code());
        Append next = push("u", 10);
        assertEquals(next.messageId(), answer(journal.append(next)).id());
    }

    @Test
    void pushesOverTheByteBoundGet503StoreBusyUntilTheWriterIsDoneWithTheEarlierOnes() throws Exception {
        journal(100, 1_000);
        streams.gate = new CountDownLatch(1);

        // 600 characters of data and a 1-character uid: held from queueing until the writer's commit ends.
        CompletableFuture<Receipt> held = journal.append(push("u", 600));
        waitFor(() -> streams.calls.get() == 1);
        CompletableFuture<Receipt> tooMuch = journal.append(push("u", 600));
        HeraldException busy = refusal(tooMuch);
        assertEquals(503, busy.status());
        assertEquals("store_busy", busy.code());
        assertTrue(busy.getMessage().contains("herald.durable.queue-max-bytes"), busy.getMessage());

        CompletableFuture<Receipt> fits = journal.append(push("u", 300));
        streams.gate.countDown();
        answer(held);
        answer(fits);
        Append after = push("u", 900);
        assertEquals(after.messageId(), answer(journal.append(after)).id(), "room again once stored");
    }

    @Test
    void aListIsRefusedWholeWhenItsCharactersDoNotFit() throws Exception {
        journal(100, 1_000);
        List<CompletableFuture<Receipt>> list = journal.appendAll(List.of(push("u", 400), push("v", 400), push("w", 400)));
        for (CompletableFuture<Receipt> receipt : list) {
            assertEquals("store_busy", refusal(receipt).code());
        }
        assertFalse(streams.stored.stream().anyMatch(append -> append.streams().contains("w")), "none of it stored");
        List<CompletableFuture<Receipt>> smaller = journal.appendAll(List.of(push("u", 400), push("v", 400)));
        for (CompletableFuture<Receipt> receipt : smaller) {
            answer(receipt);
        }
        assertEquals(2, streams.stored.size());
    }

    @Test
    void theItemBoundStillHolds() throws Exception {
        journal(2, 1_000_000);
        streams.gate = new CountDownLatch(1);
        CompletableFuture<Receipt> held = journal.append(push("u", 10));
        waitFor(() -> streams.calls.get() == 1);
        CompletableFuture<Receipt> second = journal.append(push("u", 10));
        CompletableFuture<Receipt> third = journal.append(push("u", 10));
        HeraldException busy = refusal(journal.append(push("u", 10)));
        assertEquals("store_busy", busy.code());
        assertTrue(busy.getMessage().contains("herald.durable.queue-capacity"), busy.getMessage());
        streams.gate.countDown();
        answer(held);
        answer(second);
        answer(third);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
