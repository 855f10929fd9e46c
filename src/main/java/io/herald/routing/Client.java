package io.herald.routing;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.HashSet;
import java.util.Set;

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
    /**
     * Copied on write: a client is in few groups (herald.connection.groups-per-client) and joins rarely, and
     * most clients are in none, which then costs no set of their own.
     */
    private volatile Set<String> groups = Set.of();

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

    /** The groups this client is in: an immutable snapshot, in no particular order. */
    public Set<String> groups() {
        return groups;
    }

    /** Adds the client to a group; false if it was in it. Only {@link Registry} calls it, holding this client's lock. */
    boolean addGroup(String group) {
        if (groups.contains(group)) {
            return false;
        }
        Set<String> more = new HashSet<>(groups);
        more.add(group);
        groups = Set.copyOf(more);
        return true;
    }

    /** Removes the client from a group; false if it was not in it. Only {@link Registry} calls it, holding this client's lock. */
    boolean removeGroup(String group) {
        if (!groups.contains(group)) {
            return false;
        }
        Set<String> fewer = new HashSet<>(groups);
        fewer.remove(group);
        groups = Set.copyOf(fewer);
        return true;
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
