package io.herald.security;

import io.herald.metrics.Metrics;

import java.util.Locale;

/**
 * Every reason a WebSocket handshake is refused before the upgrade, with its HTTP status: the one list that
 * the refusals, the metrics' {@code reason} label and SECURITY.md's "Every refusal" table share.
 */
public enum Refusal {
    BAD_UID(400),
    BAD_SINCE(400),
    BAD_BATCH(400),
    CONFLICTING_IDENTITY(400),
    TOKEN_REQUIRED(401),
    TOKEN_INVALID(401),
    TOKEN_EXPIRED(401),
    DEV_MODE_OFF(403),
    ORIGIN_NOT_ALLOWED(403),
    TOKEN_REFUSED(403),
    TOO_MANY_GROUPS(403),
    TOO_MANY_CONNECTIONS(429),
    TOO_MANY_CLIENTS(429),
    DRAINING(503),
    TOKEN_KEYS_UNAVAILABLE(503);

    private final int status;
    private final String code;

    Refusal(int status) {
        this.status = status;
        this.code = name().toLowerCase(Locale.ROOT);
    }

    public int status() {
        return status;
    }

    /** The machine-readable code of the JSON answer, e.g. {@code origin_not_allowed}. */
    public String code() {
        return code;
    }

    /** Each reason shows in the metrics, at 0, before it first happens. */
    public static void registerMetrics(Metrics metrics) {
        for (Refusal refusal : values()) {
            metrics.refusalReason(refusal.code());
        }
    }
}
