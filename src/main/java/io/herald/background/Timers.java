package io.herald.background;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Herald's timed work (acknowledgement flushes, heartbeats, purges, drain steps, bind deadlines, replay
 * retries), on {@value #THREADS} threads of its own made by the container's thread factory, so that
 * they run in the application's context (transactions, the database).
 *
 * <p>Not the container's ManagedScheduledExecutorService: WildFly suspends the server before it stops
 * the application, refuses every scheduled task that comes due meanwhile and logs each refusal as an
 * ERROR with a stack trace (WFLYEE0110), so a periodic task logged one every tick of every stop. Here
 * the tasks run until the application stops, and then no more. Each runs {@link Guarded}: a failure is
 * logged (once a minute at most per kind of task) and a periodic task runs again at its next tick.
 * Tasks should be short; work that takes long belongs on a thread of its own or a managed executor.
 */
@ApplicationScoped
public class Timers {

    private static final Logger LOG = Logger.getLogger(Timers.class.getName());
    static final int THREADS = 2;

    @Resource
    ManagedThreadFactory threads;

    private ScheduledThreadPoolExecutor executor;
    private final Map<String, FailureLog> failures = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        AtomicInteger count = new AtomicInteger();
        executor = new ScheduledThreadPoolExecutor(THREADS, runnable -> {
            Thread thread = threads.newThread(runnable);
            thread.setName("herald-timer-" + count.incrementAndGet());
            return thread;
        });
        // Cancelled one-shot timers (a client that bound before its deadline) leave the queue at once.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /**
     * Runs the task every {@code periodMillis}, the first time after one period, until it is cancelled or
     * the application stops. {@code what} names it in the log ("the heartbeat sweep").
     */
    public ScheduledFuture<?> every(String what, long periodMillis, Runnable task) {
        return executor.scheduleWithFixedDelay(guarded(what, "it runs again in " + periodMillis + " ms", task),
                periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the task once after the delay. Null if the application is stopping: the task will never run,
     * and the caller knows why.
     */
    public ScheduledFuture<?> after(String what, long delayMillis, Runnable task) {
        try {
            return executor.schedule(guarded(what, "it was not retried", task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.log(Level.FINE, () -> what + " not scheduled: the application is stopping");
            return null;
        }
    }

    /** Runs no more tasks; one under way may finish (no interrupt: it may be writing the embedded database). */
    @PreDestroy
    void stop() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warning("a timed task was still running 5 s after the application began to stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Runnable guarded(String what, String next, Runnable task) {
        FailureLog log = failures.computeIfAbsent(what, name -> new FailureLog(LOG, Level.SEVERE, name));
        return Guarded.task(log, next, task);
    }
}
