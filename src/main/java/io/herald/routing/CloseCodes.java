package io.herald.routing;

import jakarta.websocket.CloseReason;

/**
 * The close codes Herald uses (PROTOCOL.md, "Close codes"). Codes 4000–4099 invite the client to
 * reconnect with backoff; codes 4100–4199 tell it not to.
 */
public enum CloseCodes {
    BINARY_NOT_SUPPORTED(1003, "binary frames are not supported"),
    TOO_BIG(1009, "frame too large"),
    SERVER_ERROR(1011, "server error"),
    SERVICE_RESTART(1012, "server restarting, reconnect"),
    TRY_AGAIN_LATER(1013, "store unavailable, try again later"),
    HEARTBEAT_TIMEOUT(4000, "heartbeat timeout"),
    SLOW_CONSUMER(4001, "send queue overflow"),
    RATE_LIMITED(4002, "too many messages"),
    CLOSED_BY_APPLICATION(4100, "closed by the application"),
    REPLACED(4101, "replaced by a newer client of the uid"),
    TOO_MANY_CLIENTS(4102, "too many clients for the uid"),
    BIND_TIMEOUT(4103, "not bound in time"),
    UNAUTHORIZED(4104, "unauthorized");

    private final int code;
    private final String phrase;

    CloseCodes(int code, String phrase) {
        this.code = code;
        this.phrase = phrase;
    }

    public int code() {
        return code;
    }

    public CloseReason reason() {
        return new CloseReason(CloseReason.CloseCodes.getCloseCode(code), phrase);
    }
}
