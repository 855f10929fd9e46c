package io.herald.background;

import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A periodic task that throws, an Error even, runs again; after the stop nothing is scheduled. */
class TimersTest {

    private final Timers timers = new Timers();

    TimersTest() {
        timers.threads = (ManagedThreadFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ManagedThreadFactory.class}, (self, method, args) -> {
                    if (method.getName().equals("newThread")) {
                        Thread thread = new Thread((Runnable) args[0]);
                        thread.setDaemon(true);
                        return thread;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        timers.start();
    }

    @AfterEach
    void stop() {
        timers.stop();
    }

    @Test
    void aPeriodicTaskThatThrowsRunsAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch fourRuns = new CountDownLatch(4);
        ScheduledFuture<?> task = timers.every("a test task", 10, () -> {
            runs.incrementAndGet();
            fourRuns.countDown();
            if (runs.get() == 1) {
                throw new OutOfMemoryError("simulated");
            }
            throw new IllegalStateException("simulated " + runs.get());
        });
        assertTrue(fourRuns.await(10, TimeUnit.SECONDS), "ran " + runs.get() + " times");
        assertFalse(task.isDone(), "still scheduled");
        task.cancel(false);
    }

    @Test
    void aDelayedTaskRunsOnceAndNothingIsScheduledAfterTheStop() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        assertNotNull(timers.after("a test task", 10, ran::countDown));
        assertTrue(ran.await(10, TimeUnit.SECONDS));

        AtomicInteger late = new AtomicInteger();
        ScheduledFuture<?> pending = timers.after("a late task", 60_000, late::incrementAndGet);
        timers.stop();
        assertNull(timers.after("a task after the stop", 10, late::incrementAndGet), "refused, quietly");
        assertTrue(pending.isCancelled(), "a delayed task still waiting is dropped at the stop");
        Thread.sleep(50);
        assertEquals(0, late.get(), "nothing ran after the stop");
    }
}
