package io.herald.delivery;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A durable push made with an Idempotency-Key, and what it returned: a retry with the same key gets the
 * same message id and sequence numbers and stores nothing new.
 */
@Entity
@Table(name = "herald_push")
public class IdempotentPush {

    @Id
    @Column(name = "idempotency_key", length = 200)
    private String key;

    @Column(name = "message_id", nullable = false, length = 64)
    private String messageId;

    /** The sequence numbers as a JSON object, uid to seq. */
    @Column(name = "seqs", nullable = false, length = StoredMessage.MAX_DATA_CHARS)
    private String seqs;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected IdempotentPush() {
    }

    public String messageId() {
        return messageId;
    }

    public String seqs() {
        return seqs;
    }
}
