package io.herald.floor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.websocket.Session;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The connections by uid, and a send that neither waits nor queues: the container's own async send. */
@ApplicationScoped
public class Sockets {

    private final Map<String, Set<Session>> byUid = new ConcurrentHashMap<>();
    private final Set<Session> all = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();

    void add(String uid, Session session) {
        all.add(session);
        if (uid != null) {
            byUid.computeIfAbsent(uid, u -> ConcurrentHashMap.newKeySet()).add(session);
        }
    }

    void remove(String uid, Session session) {
        all.remove(session);
        if (uid != null) {
            byUid.computeIfPresent(uid, (u, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
        }
    }

    /** A message frame in Herald's format, with a new id. */
    String[] frame(String data) {
        String id = Long.toString(ids.incrementAndGet(), 36);
        return new String[] {id, "{\"type\":\"message\",\"id\":\"" + id + "\",\"data\":" + data + "}"};
    }

    void toUid(String uid, String frame) {
        Set<Session> sessions = byUid.get(uid);
        if (sessions != null) {
            sessions.forEach(session -> send(session, frame));
        }
    }

    void toAll(String frame) {
        all.forEach(session -> send(session, frame));
    }

    static void send(Session session, String frame) {
        try {
            session.getAsyncRemote().sendText(frame);
        } catch (RuntimeException closedOrBusy) {
            // a naive endpoint drops what it cannot send; the benchmark counts what arrives
        }
    }

    int clients() {
        return all.size();
    }

    int uids() {
        return byUid.size();
    }
}
