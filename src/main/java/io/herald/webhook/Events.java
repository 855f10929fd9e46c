package io.herald.webhook;

import io.herald.core.JsonCodec;
import jakarta.json.JsonObjectBuilder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds webhook events: a unique id (this node's id and a counter, so unique across the cluster and
 * restarts), the time, and the JSON body {@code {"id","type","createdAt","node","data":{…}}}.
 */
final class Events {

    /**
     * The largest body an event can have: its fields are names of at most 128 characters (uids, groups),
     * ids and numbers, never a client's data or session. With {@code herald.webhook.buffer-capacity} this
     * bounds the memory the webhooks' buffer can take (SECURITY.md, "Buffers an outsider can fill").
     */
    static final int MAX_BODY_CHARS = 1024;

    private final String node;
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLong clock = new AtomicLong();

    Events(String node) {
        this.node = node;
    }

    Event uidOnline(String uid) {
        return event(EventType.UID_ONLINE, uid, JsonCodec.object().add("uid", uid));
    }

    Event uidOffline(String uid, long lastClientLeftAt) {
        return event(EventType.UID_OFFLINE, uid, JsonCodec.object().add("uid", uid).add("offlineSince", lastClientLeftAt));
    }

    Event clientConnected(String clientId, String uid) {
        return event(EventType.CLIENT_CONNECTED, uid, withUid(JsonCodec.object().add("clientId", clientId), uid));
    }

    Event clientClosed(String clientId, String uid, int closeCode) {
        return event(EventType.CLIENT_CLOSED, uid,
                withUid(JsonCodec.object().add("clientId", clientId), uid).add("closeCode", closeCode));
    }

    Event groupEmptied(String group) {
        return event(EventType.GROUP_EMPTIED, null, JsonCodec.object().add("group", group));
    }

    Event unacknowledged(String uid, long seq, String messageId, long messageCreatedAt) {
        return event(EventType.MESSAGE_UNACKNOWLEDGED, uid, JsonCodec.object()
                .add("uid", uid)
                .add("seq", seq)
                .add("messageId", messageId)
                .add("createdAt", messageCreatedAt));
    }

    private static JsonObjectBuilder withUid(JsonObjectBuilder data, String uid) {
        return uid == null ? data.addNull("uid") : data.add("uid", uid);
    }

    private Event event(EventType type, String uid, JsonObjectBuilder data) {
        long now = System.currentTimeMillis();
        // Microseconds of the wall clock, strictly growing on this node: events keep the order in which
        // they were made here, and compare roughly by time with other nodes' events.
        long sortKey = clock.updateAndGet(previous -> Math.max(previous + 1, now * 1000));
        String id = "evt_" + node + "_" + Long.toString(counter.incrementAndGet(), 36);
        String body = JsonCodec.object()
                .add("id", id)
                .add("type", type.wireName())
                .add("createdAt", now)
                .add("node", node)
                .add("data", data)
                .build()
                .toString();
        return new Event(id, type, uid, body, now, sortKey);
    }
}
