package io.herald.security;

/**
 * A token bucket: holds at most {@code capacity} tokens and gains {@code perSecond} tokens a second; each
 * event takes one. Time is passed in (nanoseconds, as from {@link System#nanoTime()}) so that the logic
 * can be tested without waiting. Not thread-safe: callers synchronize.
 */
public final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double capacity;
    private final double perSecond;
    private double tokens;
    private long lastNanos;

    public TokenBucket(int capacity, double perSecond, long nowNanos) {
        if (capacity < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("a token bucket needs a capacity of 1 or more and a positive rate");
        }
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes one token if there is one. */
    public boolean tryTake(long nowNanos) {
        return tryTake(nowNanos, 1);
    }

    /** Takes {@code amount} tokens if there are that many. */
    public boolean tryTake(long nowNanos, double amount) {
        refill(nowNanos);
        if (tokens >= amount) {
            tokens -= amount;
            return true;
        }
        return false;
    }

    /** Gives back tokens taken for something that turned out not to count (at most up to the capacity). */
    public void giveBack(double amount) {
        tokens = Math.min(capacity, tokens + amount);
    }

    /** True when the bucket has refilled completely: nothing is owed, so it may be forgotten. */
    public boolean full(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    /** Whole seconds until the next token, at least 1 (for a Retry-After header). */
    public long secondsToNextToken(long nowNanos) {
        refill(nowNanos);
        double missing = Math.max(0, 1 - tokens);
        return Math.max(1, (long) Math.ceil(missing / perSecond));
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            // multiply before dividing: whole seconds' worth of tokens come out exact
            tokens = Math.min(capacity, tokens + elapsed * perSecond / NANOS_PER_SECOND);
            lastNanos = nowNanos;
        }
    }
}
