package io.herald.delivery;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** One durable message of one uid's stream. {@code data} is the message's JSON text. */
@Entity
@Table(name = "herald_message")
@IdClass(StoredMessage.Key.class)
public class StoredMessage {

    /**
     * The most characters of JSON a stored message's data may have (and the width of the columns that hold
     * data or seqs; the first migration, V1, declares the same width in SQL).
     */
    public static final int MAX_DATA_CHARS = 1_048_576;


    @Id
    @Column(name = "uid", length = 129)
    private String uid;

    @Id
    @Column(name = "seq")
    private long seq;

    @Column(name = "message_id", nullable = false, length = 64)
    private String messageId;

    @Column(name = "data", nullable = false, length = MAX_DATA_CHARS)
    private String data;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected StoredMessage() {
    }

    /** A message read with plain JDBC ({@link Streams#read}), not managed by any persistence context. */
    StoredMessage(String uid, long seq, String messageId, String data, long createdAt) {
        this.uid = uid;
        this.seq = seq;
        this.messageId = messageId;
        this.data = data;
        this.createdAt = createdAt;
    }

    public String uid() {
        return uid;
    }

    public long seq() {
        return seq;
    }

    public String messageId() {
        return messageId;
    }

    public String data() {
        return data;
    }

    public long createdAt() {
        return createdAt;
    }

    /** The composite key (uid, seq). */
    public static class Key implements Serializable {
        private String uid;
        private long seq;

        public Key() {
        }

        public Key(String uid, long seq) {
            this.uid = uid;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.seq == seq && Objects.equals(key.uid, uid);
        }

        @Override
        public int hashCode() {
            return Objects.hash(uid, seq);
        }
    }
}
