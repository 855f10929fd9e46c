package io.herald.client;

import jakarta.json.JsonValue;

/**
 * One message of a batch ({@link HeraldClient#pushBatch}): for one uid, with an optional idempotency key
 * ({@code null}: the client adds one to a durable batch's messages itself).
 */
public record UidMessage(String uid, JsonValue data, String idempotencyKey) {

    public UidMessage(String uid, JsonValue data) {
        this(uid, data, null);
    }
}
