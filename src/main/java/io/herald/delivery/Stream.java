package io.herald.delivery;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A uid's durable stream: the last sequence number handed out, and how far the uid's clients have
 * acknowledged. Sequence numbers start at 1 and grow by one per message, without gaps. The epoch is new
 * whenever the row is created, so a client holding a position from a lost history can tell.
 */
@Entity
@Table(name = "herald_stream")
public class Stream {

    @Id
    @Column(name = "uid", length = 129)
    private String uid;

    @Column(name = "epoch", nullable = false, length = 32)
    private String epoch;

    @Column(name = "last_seq", nullable = false)
    private long lastSeq;

    @Column(name = "acked_seq", nullable = false)
    private long ackedSeq;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    protected Stream() {
    }

    public String uid() {
        return uid;
    }

    public String epoch() {
        return epoch;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public long ackedSeq() {
        return ackedSeq;
    }
}
