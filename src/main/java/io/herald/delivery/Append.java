package io.herald.delivery;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * A durable push waiting to be stored: one message for one or more streams ({@link StreamKey}: uids, or
 * one group). {@code data} is JSON text; {@code idempotencyKey} may be null; {@code exclude} names clients
 * that do not get a group's message live (the ephemeral group send's {@code exclude}). Serializable:
 * committed appends travel to the nodes that hold their streams' clients.
 */
public record Append(String messageId, List<String> streams, String data, String idempotencyKey,
                     Set<String> exclude) implements Serializable {

    /** A push to uids, each stream keyed by its uid. */
    public Append(String messageId, List<String> uids, String data, String idempotencyKey) {
        this(messageId, uids, data, idempotencyKey, Set.of());
    }

    /** A push stored once in the group's stream. */
    public static Append toGroup(String messageId, String group, String data, String idempotencyKey,
                                 Set<String> exclude) {
        return new Append(messageId, List.of(StreamKey.group(group)), data, idempotencyKey, Set.copyOf(exclude));
    }

    /** Creates the uid's stream if it does not exist, storing no message. */
    public static Append openStream(String uid) {
        return new Append(null, List.of(uid), null, null);
    }

    public boolean opensOnly() {
        return messageId == null;
    }

    /**
     * The characters of text this push holds while it waits: its data, stream keys, key and excluded
     * clientIds (what a caller controls; the rest is a few fixed fields). What bounds the journal's queue in
     * bytes, and the size of a committed push on its way to another node.
     */
    public long chars() {
        long chars = (data == null ? 0 : data.length()) + (idempotencyKey == null ? 0 : idempotencyKey.length());
        for (String stream : streams) {
            chars += stream.length();
        }
        for (String clientId : exclude) {
            chars += clientId.length();
        }
        return chars;
    }
}
