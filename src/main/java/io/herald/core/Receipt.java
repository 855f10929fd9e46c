package io.herald.core;

import java.io.Serializable;
import java.util.Map;

/**
 * What a durable push returns once it is committed: the message id and, for every uid it was stored for,
 * its sequence number in that uid's stream.
 */
public record Receipt(String id, Map<String, Long> seqs) implements Serializable {

    /** The sequence number of the message in the uid's stream. */
    public long seq(String uid) {
        Long seq = seqs.get(uid);
        if (seq == null) {
            throw new IllegalArgumentException("the message was not stored for uid " + uid);
        }
        return seq;
    }
}
