package io.herald.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A uid reported online: uid.online was sent and uid.offline not yet. Nodes share this row, so that of
 * several nodes noticing the same transition, only the one whose insert or delete succeeds reports it.
 */
@Entity
@Table(name = "herald_webhook_online")
public class OnlineUid {

    @Id
    @Column(name = "uid", length = 128)
    private String uid;

    @Column(name = "since", nullable = false)
    private long since;

    protected OnlineUid() {
    }

    OnlineUid(String uid, long since) {
        this.uid = uid;
        this.since = since;
    }

    String uid() {
        return uid;
    }
}
