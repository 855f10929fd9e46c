package io.herald.delivery;

import java.io.Serializable;
import java.util.List;

/**
 * A durable push waiting to be stored: one message for one or more uids. {@code data} is JSON text;
 * {@code idempotencyKey} may be null. Serializable: committed appends travel to the nodes that hold
 * their uids' clients.
 */
public record Append(String messageId, List<String> uids, String data, String idempotencyKey) implements Serializable {

    /** Creates the uid's stream if it does not exist, storing no message. */
    public static Append openStream(String uid) {
        return new Append(null, List.of(uid), null, null);
    }

    public boolean opensOnly() {
        return messageId == null;
    }

    /**
     * The characters of text this push holds while it waits: its data, uids and key (what a caller
     * controls; the rest is a few fixed fields). What bounds the journal's queue in bytes, and the size of
     * a committed push on its way to another node.
     */
    public long chars() {
        long chars = (data == null ? 0 : data.length()) + (idempotencyKey == null ? 0 : idempotencyKey.length());
        for (String uid : uids) {
            chars += uid.length();
        }
        return chars;
    }
}
