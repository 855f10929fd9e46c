package io.herald.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The highest seq of a uid's stream reported as message.unacknowledged: each message is reported once. */
@Entity
@Table(name = "herald_webhook_reported")
public class ReportedSeq {

    @Id
    @Column(name = "uid", length = 128)
    private String uid;

    @Column(name = "seq", nullable = false)
    private long seq;

    protected ReportedSeq() {
    }

    ReportedSeq(String uid, long seq) {
        this.uid = uid;
        this.seq = seq;
    }

    long seq() {
        return seq;
    }

    void seq(long reported) {
        seq = Math.max(seq, reported);
    }
}
