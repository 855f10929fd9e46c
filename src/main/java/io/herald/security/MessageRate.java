package io.herald.security;

/**
 * The inbound rate of one client, in frames ({@code herald.limits.messages-per-second}, burst
 * {@code herald.limits.messages-burst}) and in bytes ({@code herald.limits.bytes-per-second}, burst
 * {@code herald.limits.bytes-burst}), two token buckets charged before a frame is parsed, and what happens
 * to frames over it. Dropped frames are answered with at most one error frame a second, never one per
 * frame, so that a flood does not turn into a flood of answers; a client whose drops reach
 * {@code closeAfter} within {@link #WINDOW_NANOS} is closed.
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

    private final TokenBucket frames;
    private final TokenBucket bytes;
    private final int closeAfter;
    private boolean warned;
    private long lastWarning;
    private int drops;
    private long windowStart;

    public MessageRate(int perSecond, int burst, int bytesPerSecond, int bytesBurst, int closeAfter, long nowNanos) {
        this.frames = new TokenBucket(Math.max(1, burst), Math.max(1, perSecond), nowNanos);
        this.bytes = new TokenBucket(Math.max(1, bytesBurst), Math.max(1, bytesPerSecond), nowNanos);
        this.closeAfter = Math.max(1, closeAfter);
    }

    /** The verdict on a new frame whose first part has {@code size} bytes. */
    public synchronized Verdict next(long nowNanos, int size) {
        if (frames.tryTake(nowNanos)) {
            if (bytes.tryTake(nowNanos, size)) {
                return Verdict.ACCEPT;
            }
            frames.giveBack(1);
        }
        return dropped(nowNanos);
    }

    /** The verdict on a further part of an accepted frame: its bytes only. */
    public synchronized Verdict more(long nowNanos, int size) {
        return bytes.tryTake(nowNanos, size) ? Verdict.ACCEPT : dropped(nowNanos);
    }

    /**
     * An accepted frame turned out to be one that does not count against the frame rate (an ack or a
     * pong, known only once parsed): its frame token is given back; its bytes stay charged.
     */
    public synchronized void refundFrame() {
        frames.giveBack(1);
    }

    private Verdict dropped(long nowNanos) {
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
