package io.herald.it.support;

import java.time.Duration;

/** Polling with a deadline, for state that the server updates asynchronously. */
public final class Await {

    /** A check that signals "not yet" by throwing an AssertionError. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private Await() {
    }

    /**
     * Runs the check until it passes or the timeout runs out; then the last failure is thrown.
     * Polls every 50 ms.
     */
    public static void eventually(Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("still failing after " + timeout.toMillis() + " ms: " + e.getMessage(), e);
                }
            } catch (Exception e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("still failing after " + timeout.toMillis() + " ms: " + e, e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    public static void eventually(Check check) {
        eventually(Duration.ofSeconds(10), check);
    }
}
