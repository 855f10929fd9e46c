package io.herald.background;

/**
 * Background work that survives its own failures: whatever it throws short of the JVM's death (an
 * OutOfMemoryError too, which the next run may well not meet) is logged through a {@link FailureLog}
 * and goes no further. A periodic task of a ScheduledExecutorService that throws is cancelled without a
 * word, and a thread whose loop throws is gone: work wrapped here goes on at its next run.
 */
public final class Guarded {

    private Guarded() {
    }

    public static Runnable task(FailureLog failures, String next, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable failure) {
                logged(failures, failure, next);
            }
        };
    }

    /** Logs the failure; if even that fails (no memory left to log with), the next failure will say so. */
    public static void logged(FailureLog failures, Throwable failure, String next) {
        try {
            failures.failed(failure, next);
        } catch (Throwable cannotLog) {
            // Nothing more can be done here, and throwing would end the very work this class keeps alive.
        }
    }
}
