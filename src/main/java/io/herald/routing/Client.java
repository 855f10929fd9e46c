package io.herald.routing;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection (a WebSocket or an event stream): its id, the uid and groups it belongs to, its session
 * map, and the queue of frames on their way to it.
 *
 * <p>The uid and group fields mirror the registry's indexes; only {@link io.herald.routing.Registry}
 * changes them, holding this client's lock, so that the two always agree.
 */
public final class Client {

    private final String id;
    private final Outbox outbox;
    private final long connectedAt = System.currentTimeMillis();
    private final Set<String> groups = ConcurrentHashMap.newKeySet();

    private volatile String uid;
    private volatile JsonObject session = JsonValue.EMPTY_JSON_OBJECT;
    private volatile boolean closed;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos;
    private volatile String address;

    public Client(String id, Outbox outbox) {
        this.id = id;
        this.outbox = outbox;
    }

    public String id() {
        return id;
    }

    public String uid() {
        return uid;
    }

    public void uid(String uid) {
        this.uid = uid;
    }

    /** A read-only view of the groups this client is in. */
    public Set<String> groups() {
        return Collections.unmodifiableSet(groups);
    }

    public Set<String> mutableGroups() {
        return groups;
    }

    public JsonObject session() {
        return session;
    }

    public void session(JsonObject session) {
        this.session = session;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public boolean closed() {
        return closed;
    }

    /** Marks the client closed; returns false if it already was. Caller holds this client's lock. */
    public boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /** Queues a frame; false if the client is closed or was just closed for overflowing. */
    public boolean send(String frame) {
        return outbox.offer(frame);
    }

    public Outbox outbox() {
        return outbox;
    }

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public void pinged(long nanos) {
        lastPingNanos = nanos;
    }

    /** The client's address, for the log; null if unknown. */
    public String address() {
        return address;
    }

    public void address(String address) {
        this.address = address;
    }

    @Override
    public String toString() {
        return "client " + id + (uid == null ? "" : " (uid " + uid + ")") + (address == null ? "" : " from " + address);
    }
}
