package io.herald.security;

/**
 * The frame rate of one client: a token bucket ({@code herald.limits.messages-per-second}, burst
 * {@code herald.limits.messages-burst}), and what happens to frames over it. Dropped frames are answered
 * with at most one error frame a second, never one per frame, so that a flood does not turn into a flood
 * of answers; a client whose drops reach {@code closeAfter} within {@link #WINDOW_NANOS} is closed.
 */
public final class MessageRate {

    /** The verdict on one frame. */
    public enum Verdict {
        /** within the rate: handle the frame */
        ACCEPT,
        /** over the rate: drop the frame and tell the client once */
        DROP_AND_WARN,
        /** over the rate, already told: drop the frame silently */
        DROP,
        /** over the rate for too long: close the connection */
        CLOSE
    }

    static final long WINDOW_NANOS = 10_000_000_000L;
    static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;

    private final TokenBucket bucket;
    private final int closeAfter;
    private boolean warned;
    private long lastWarning;
    private int drops;
    private long windowStart;

    public MessageRate(int perSecond, int burst, int closeAfter, long nowNanos) {
        this.bucket = new TokenBucket(Math.max(1, burst), Math.max(1, perSecond), nowNanos);
        this.closeAfter = Math.max(1, closeAfter);
    }

    public synchronized Verdict next(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            return Verdict.ACCEPT;
        }
        if (drops == 0 || nowNanos - windowStart > WINDOW_NANOS) {
            windowStart = nowNanos;
            drops = 0;
        }
        drops++;
        if (drops >= closeAfter) {
            return Verdict.CLOSE;
        }
        if (warned && nowNanos - lastWarning < WARNING_INTERVAL_NANOS) {
            return Verdict.DROP;
        }
        warned = true;
        lastWarning = nowNanos;
        return Verdict.DROP_AND_WARN;
    }
}
