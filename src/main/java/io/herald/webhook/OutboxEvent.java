package io.herald.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A webhook event in the outbox: the exact body that is signed and posted, and its delivery state. A
 * delivered event is deleted; one given up stays with {@link #DEAD} for an operator to inspect.
 */
@Entity
@Table(name = "herald_webhook_event")
public class OutboxEvent {

    static final int PENDING = 0;
    static final int DEAD = 1;

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "sort_key", nullable = false)
    private long sortKey;

    @Column(name = "event_type", nullable = false, length = 40)
    private String type;

    @Column(name = "uid", length = 128)
    private String uid;

    @Column(name = "body", nullable = false, length = 8000)
    private String body;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "status", nullable = false)
    private int status;

    @Column(name = "attempts", nullable = false)
    private int attempts;

    @Column(name = "due_at", nullable = false)
    private long dueAt;

    @Column(name = "lease_owner", length = 32)
    private String leaseOwner;

    @Column(name = "lease_until", nullable = false)
    private long leaseUntil;

    @Column(name = "last_error", length = 500)
    private String lastError;

    protected OutboxEvent() {
    }

    OutboxEvent(Event event) {
        this.id = event.id();
        this.sortKey = event.sortKey();
        this.type = event.type().wireName();
        this.uid = event.uid();
        this.body = event.body();
        this.createdAt = event.createdAt();
        this.status = PENDING;
        this.dueAt = event.createdAt();
    }

    String id() {
        return id;
    }

    String type() {
        return type;
    }

    String uid() {
        return uid;
    }

    String body() {
        return body;
    }

    long createdAt() {
        return createdAt;
    }

    int attempts() {
        return attempts;
    }
}
