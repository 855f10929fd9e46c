package io.herald.security;

/**
 * Why a WebSocket handshake is refused, as the HTTP answer it gets before the upgrade: a status, a
 * machine-readable code and a message (PROTOCOL.md, "Handshake").
 */
public final class HandshakeRefusal extends Exception {

    private final Refusal reason;
    private final long retryAfterSeconds;

    public HandshakeRefusal(Refusal reason, String message) {
        this(reason, message, 0);
    }

    public HandshakeRefusal(Refusal reason, String message, long retryAfterSeconds) {
        // No stack trace: refusals are expected, and cheap to make even under a flood of bad handshakes.
        super(message, null, false, false);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Refusal reason() {
        return reason;
    }

    public int status() {
        return reason.status();
    }

    public String code() {
        return reason.code();
    }

    /** Seconds for a Retry-After header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
