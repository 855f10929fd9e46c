package io.herald.background;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs the failures of one piece of background work without flooding the log: the first one with its
 * stack trace at the given level, then at most one line a minute that counts the failures since and
 * carries the latest one's trace; the others go to FINE. Work that fails on every tick (a database down,
 * memory short) thus costs a line a minute, and the first trace says what went wrong.
 */
public final class FailureLog {

    static final long EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Logger log;
    private final Level level;
    private final String what;
    private final LongSupplier clock;

    // Guarded by this.
    private boolean logged;
    private long loggedAt;
    private int quiet;
    private long failuresSinceSuccess;

    public FailureLog(Logger log, Level level, String what) {
        this(log, level, what, System::nanoTime);
    }

    FailureLog(Logger log, Level level, String what, LongSupplier clock) {
        this.log = log;
        this.level = level;
        this.what = what;
        this.clock = clock;
    }

    /**
     * Logs a failure; {@code next} says what happens now (e.g. "it runs again at its next tick"). Returns
     * whether it went to the log at the level (false: FINE, counted for the next line).
     */
    public boolean failed(Throwable failure, String next) {
        long now = clock.getAsLong();
        int before;
        synchronized (this) {
            failuresSinceSuccess++;
            if (logged && now - loggedAt < EVERY_NANOS) {
                quiet++;
                before = -1;
            } else {
                before = quiet;
                logged = true;
                loggedAt = now;
                quiet = 0;
            }
        }
        if (before < 0) {
            log.log(Level.FINE, what + " failed again; " + next, failure);
            return false;
        }
        log.log(level, what + " failed" + (before > 0 ? " (and " + before + " more times in the last minute,"
                + " logged at FINE)" : "") + ": " + failure + "; " + next + " (logged at most once a minute)", failure);
        return true;
    }

    /**
     * The work succeeded. If it had failed since its last success, says so once, at INFO, so that the log
     * shows when a failure that was being retried (a database outage) ended. Returns whether it said so.
     */
    public boolean succeeded() {
        long failures;
        synchronized (this) {
            failures = failuresSinceSuccess;
            if (failures == 0) {
                return false;
            }
            failuresSinceSuccess = 0;
            logged = false;
            quiet = 0;
        }
        log.info(what + " works again, after " + failures + (failures == 1 ? " failure" : " failures"));
        return true;
    }
}
