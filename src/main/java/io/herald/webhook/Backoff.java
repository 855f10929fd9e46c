package io.herald.webhook;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between delivery attempts: exponential from {@code initial}, capped at {@code max}, with "equal
 * jitter" (a random point in the upper half of the step), so that the delay still grows with each attempt
 * while many events that failed together do not retry in lockstep.
 */
public record Backoff(long initialMillis, long maxMillis) {

    public Backoff {
        if (initialMillis < 1 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff needs 1 <= initial <= max: " + initialMillis + ", " + maxMillis);
        }
    }

    /** The step before jitter after the given number of failed attempts (1 for the first failure). */
    public long step(int failedAttempts) {
        int doublings = Math.max(0, failedAttempts - 1);
        // initial << doublings exceeds max exactly when initial exceeds max >> doublings (and never overflows then).
        if (doublings >= 63 || initialMillis > (maxMillis >> doublings)) {
            return maxMillis;
        }
        return initialMillis << doublings;
    }

    /** The delay before the next attempt, in [step/2, step]. */
    public long delay(int failedAttempts) {
        return delay(failedAttempts, ThreadLocalRandom.current().nextDouble());
    }

    /** As {@link #delay(int)}, with the random draw {@code random} in [0, 1). */
    public long delay(int failedAttempts, double random) {
        long step = step(failedAttempts);
        long half = step / 2;
        return half + (long) ((step - half) * random);
    }
}
