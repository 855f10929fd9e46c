package io.herald.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Full-jitter exponential backoff: attempt n waits a uniformly random time in [0, min(cap, base·2ⁿ)). The
 * randomness spreads the reconnects of many backends after a server restart, instead of all of them
 * arriving together at each step.
 */
final class Backoff {

    private final long baseMillis;
    private final long capMillis;
    private final DoubleSupplier random;

    Backoff(Duration base, Duration cap, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap, got " + base + " and " + cap);
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    /** The delay before attempt {@code attempt} (0 for the first retry), in milliseconds. */
    long delayMillis(int attempt) {
        return (long) (random.getAsDouble() * ceilingMillis(attempt));
    }

    /** The upper bound of attempt {@code attempt}'s delay: base·2ⁿ, at most the cap (no overflow). */
    long ceilingMillis(int attempt) {
        int shift = Math.max(0, Math.min(attempt, 62));
        long ceiling = baseMillis << shift;
        return (ceiling >> shift) != baseMillis || ceiling > capMillis ? capMillis : ceiling;
    }
}
