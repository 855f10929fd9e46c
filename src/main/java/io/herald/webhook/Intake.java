package io.herald.webhook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Where presence changes and connection events enter the webhooks. The hooks run on connection threads
 * (inside the registry's index update), so they only touch memory: a bounded buffer that the background
 * writer empties into the outbox, and the uids that lost their last client here, waiting out
 * {@code herald.webhook.offline-delay-ms}. A full buffer drops the event (counted, logged once per streak):
 * a failing database must not grow memory without bound. Buffered events are lost if the node crashes.
 */
final class Intake {

    private static final Logger LOG = Logger.getLogger(Intake.class.getName());

    private final WebhookSettings settings;
    private final Events events;
    private final WebhookStats stats;
    private final BlockingQueue<Change> buffer;
    /** Uids whose last client here left, with the time it left. */
    private final Map<String, Long> leaving = new ConcurrentHashMap<>();
    private final AtomicBoolean dropping = new AtomicBoolean();

    Intake(WebhookSettings settings, Events events, WebhookStats stats) {
        this.settings = settings;
        this.events = events;
        this.stats = stats;
        this.buffer = new ArrayBlockingQueue<>(settings.bufferCapacity());
    }

    /** The registry's uid hook: called in order for one uid. */
    void uidPresence(String uid, boolean present) {
        if (!present) {
            leaving.put(uid, System.currentTimeMillis());
        } else if (leaving.remove(uid) == null) {
            // A reconnect within the delay removes the pending offline, and then there is nothing to send.
            offer(new Change(Change.Kind.ONLINE, uid,
                    settings.sends(EventType.UID_ONLINE) ? events.uidOnline(uid) : null));
        }
    }

    /** The registry's group hook. */
    void groupPresence(String group, boolean present) {
        if (!present) {
            offer(new Change(Change.Kind.GROUP_LEFT, group, events.groupEmptied(group)));
        }
    }

    void event(Event event) {
        offer(new Change(Change.Kind.EVENT, event.uid(), event));
    }

    /** Uids gone for the whole delay are handed on to be checked cluster-wide and reported offline. */
    void expire(long now) {
        if (leaving.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Long> entry : leaving.entrySet()) {
            String uid = entry.getKey();
            long since = entry.getValue();
            if (now - since >= settings.offlineDelayMillis() && leaving.remove(uid, since)) {
                offer(new Change(Change.Kind.OFFLINE, uid,
                        settings.sends(EventType.UID_OFFLINE) ? events.uidOffline(uid, since) : null));
            }
        }
    }

    /**
     * Uids recorded online by an earlier run (or by a node that crashed): each is treated as having just
     * lost its clients here, so that it is reported offline after the delay unless it is online somewhere.
     */
    void suspect(Collection<String> uids, long now) {
        uids.forEach(uid -> leaving.putIfAbsent(uid, now));
    }

    List<Change> drain(int max) {
        List<Change> changes = new ArrayList<>(Math.min(max, buffer.size()));
        buffer.drainTo(changes, max);
        return changes;
    }

    int buffered() {
        return buffer.size();
    }

    private void offer(Change change) {
        if (buffer.offer(change)) {
            if (dropping.compareAndSet(true, false)) {
                LOG.info("webhook events are buffered again");
            }
            return;
        }
        stats.countDropped();
        if (dropping.compareAndSet(false, true)) {
            LOG.warning("webhook buffer full (herald.webhook.buffer-capacity=" + settings.bufferCapacity()
                    + "): dropping presence and client events until the outbox writer catches up; first dropped: "
                    + (change.event() != null ? change.event().type().wireName() + " " + change.event().id() : change.kind())
                    + " for " + change.key());
        }
    }
}
