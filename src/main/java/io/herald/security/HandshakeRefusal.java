package io.herald.security;

/**
 * Why a WebSocket handshake is refused, as the HTTP answer it gets before the upgrade: a status, a
 * machine-readable code and a message (PROTOCOL.md, "Handshake").
 */
public final class HandshakeRefusal extends Exception {

    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public HandshakeRefusal(int status, String code, String message) {
        this(status, code, message, 0);
    }

    public HandshakeRefusal(int status, String code, String message, long retryAfterSeconds) {
        // No stack trace: refusals are expected, and cheap to make even under a flood of bad handshakes.
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
