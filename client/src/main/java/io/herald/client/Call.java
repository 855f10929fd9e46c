package io.herald.client;

import jakarta.json.JsonObject;

/**
 * One REST operation as the channel carries it: method, path below {@code /api} (encoded), body ({@code null}
 * for none) and idempotency key ({@code null} for none). {@code resendable}: whether sending it again after
 * a lost connection cannot do it twice (reads, and durable pushes with an idempotency key).
 */
record Call(String method, String path, JsonObject body, String idempotencyKey, boolean resendable) {
}
