package io.herald.client;

/**
 * How a push to uids is made: durable (stored, answered with seqs once committed; the default) or ephemeral
 * (to the clients online now only), and with which idempotency key. A durable push without a key gets one
 * from the client, so that it can be re-sent after a reconnect without being stored twice; give your own
 * key to make your own retries (after a timeout, a restart) safe too.
 */
public final class Push {

    private static final Push DURABLE = new Push(true, null);
    private static final Push EPHEMERAL = new Push(false, null);

    private final boolean durable;
    private final String idempotencyKey;

    private Push(boolean durable, String idempotencyKey) {
        this.durable = durable;
        this.idempotencyKey = idempotencyKey;
    }

    public static Push durable() {
        return DURABLE;
    }

    public static Push ephemeral() {
        return EPHEMERAL;
    }

    /** A durable push with this key (1–200 printable ASCII characters, as the REST API's header takes). */
    public static Push withIdempotencyKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("an idempotency key must not be empty");
        }
        return new Push(true, key);
    }

    public boolean isDurable() {
        return durable;
    }

    /** The caller's key, or null (a durable push then gets the client's own). */
    public String idempotencyKey() {
        return idempotencyKey;
    }
}
