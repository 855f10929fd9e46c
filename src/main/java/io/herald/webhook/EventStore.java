package io.herald.webhook;

import io.herald.delivery.Database;
import io.herald.delivery.StreamKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook tables: the outbox, the uids reported online, and the scan for unacknowledged messages.
 *
 * <p>Several nodes share them. A node claims an outbox event with a lease, by a conditional UPDATE that
 * succeeds only while no other lease is current; the HTTP request then runs outside any transaction, and an
 * event whose sender died is claimed again when its lease runs out. (A lease rather than
 * {@code SELECT … FOR UPDATE SKIP LOCKED}: a row lock would hold a transaction open for the whole request.)
 */
@ApplicationScoped
public class EventStore {

    @PersistenceContext(unitName = "herald")
    EntityManager em;

    @Inject
    Database database;

    /**
     * Writes buffered changes in one transaction. An ONLINE change records the uid and stores its event
     * only if the uid was not recorded online yet; an OFFLINE change only if it was: so of several nodes
     * that see the same transition, one reports it. On PostgreSQL (the database nodes share) consecutive
     * ONLINE or OFFLINE changes are recorded in one statement each, which says which uids it changed: a
     * connect storm's 500 uids cost one round trip, not 500 (one statement per uid kept the webhooks'
     * thread writing for seconds while nothing was sent). The record is inserted unless present, so that
     * two nodes recording the same uid at once do not fail a batch.
     */
    @Transactional
    public void write(List<Change> changes, long now) {
        if (database.insertsUnlessPresent()) {
            writeInRuns(changes, now);
            return;
        }
        for (Change change : changes) {
            switch (change.kind()) {
                case ONLINE -> {
                    if (em.find(OnlineUid.class, change.key()) == null) {
                        em.persist(new OnlineUid(change.key(), now));
                        store(change.event());
                    }
                }
                case OFFLINE -> {
                    OnlineUid online = em.find(OnlineUid.class, change.key());
                    if (online != null) {
                        em.remove(online);
                        store(change.event());
                    }
                }
                case EVENT, GROUP_LEFT -> store(change.event());
            }
        }
    }

    /** Runs of ONLINE or OFFLINE changes, each recorded by one statement, in the changes' order. */
    private void writeInRuns(List<Change> changes, long now) {
        int start = 0;
        while (start < changes.size()) {
            Change.Kind kind = changes.get(start).kind();
            int end = start + 1;
            if (kind == Change.Kind.ONLINE || kind == Change.Kind.OFFLINE) {
                while (end < changes.size() && changes.get(end).kind() == kind) {
                    end++;
                }
                List<Change> run = changes.subList(start, end);
                Set<String> changed = kind == Change.Kind.ONLINE ? recordOnline(run, now) : recordOffline(run);
                for (Change change : run) {
                    if (changed.remove(change.key())) { // a uid twice in a run is reported once
                        store(change.event());
                    }
                }
            } else {
                store(changes.get(start).event());
            }
            start = end;
        }
    }

    /** Records the run's uids online; returns those that were not recorded (by this node or another). */
    private Set<String> recordOnline(List<Change> run, long now) {
        List<String> uids = distinctKeys(run);
        StringBuilder sql = new StringBuilder("INSERT INTO herald_webhook_online (uid, since) VALUES ");
        for (int i = 0; i < uids.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?").append(i + 1).append(", ?").append(uids.size() + 1).append(')');
        }
        Query insert = em.createNativeQuery(sql.append(" ON CONFLICT (uid) DO NOTHING RETURNING uid").toString());
        return changed(insert, uids, now);
    }

    /** Removes the run's uids from those recorded online; returns those that were. */
    private Set<String> recordOffline(List<Change> run) {
        List<String> uids = distinctKeys(run);
        StringBuilder sql = new StringBuilder("DELETE FROM herald_webhook_online WHERE uid IN (");
        for (int i = 0; i < uids.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?").append(i + 1);
        }
        Query delete = em.createNativeQuery(sql.append(") RETURNING uid").toString());
        return changed(delete, uids, null);
    }

    private static List<String> distinctKeys(List<Change> run) {
        Set<String> keys = new LinkedHashSet<>(run.size() * 2);
        for (Change change : run) {
            keys.add(change.key());
        }
        return List.copyOf(keys);
    }

    /** Runs a statement over the uids (and {@code now} after them, if any) that returns the uids it changed. */
    private static Set<String> changed(Query statement, List<String> uids, Long now) {
        for (int i = 0; i < uids.size(); i++) {
            statement.setParameter(i + 1, uids.get(i));
        }
        if (now != null) {
            statement.setParameter(uids.size() + 1, now);
        }
        List<?> rows = statement.getResultList();
        Set<String> changed = new HashSet<>(rows.size() * 2);
        for (Object row : rows) {
            changed.add((String) row);
        }
        return changed;
    }

    private void store(Event event) {
        if (event != null) {
            em.persist(new OutboxEvent(event));
        }
    }

    /**
     * Events that may be sent now, oldest first: due, not leased, and with no earlier pending event of the
     * same uid (so a uid's events go out one at a time, in order; an event without uid is never held back).
     */
    @Transactional
    public List<OutboxEvent> due(long now, int limit) {
        return em.createQuery("SELECT e FROM OutboxEvent e WHERE e.status = 0 AND e.dueAt <= :now"
                        + " AND e.leaseUntil <= :now AND NOT EXISTS (SELECT p.id FROM OutboxEvent p"
                        + " WHERE p.uid = e.uid AND p.status = 0"
                        + " AND (p.sortKey < e.sortKey OR (p.sortKey = e.sortKey AND p.id < e.id)))"
                        + " ORDER BY e.sortKey, e.id", OutboxEvent.class)
                .setParameter("now", now)
                .setMaxResults(limit)
                .getResultList();
    }

    /**
     * Takes the lease on each pending event that is due and that no other node holds, and counts the
     * attempt; returns the ids it got. (Claimed from a list read a moment ago: an event may have been sent,
     * failed and put back to wait meanwhile.)
     */
    @Transactional
    public List<String> claim(List<String> ids, String node, long now, long leaseUntil) {
        if (database.insertsUnlessPresent()) { // PostgreSQL: one statement that says which it took
            StringBuilder sql = new StringBuilder("UPDATE herald_webhook_event SET lease_owner = ?1,"
                    + " lease_until = ?2, attempts = attempts + 1 WHERE status = 0 AND lease_until <= ?3"
                    + " AND due_at <= ?3 AND id IN (");
            for (int i = 0; i < ids.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?").append(i + 4);
            }
            Query update = em.createNativeQuery(sql.append(") RETURNING id").toString())
                    .setParameter(1, node)
                    .setParameter(2, leaseUntil)
                    .setParameter(3, now);
            for (int i = 0; i < ids.size(); i++) {
                update.setParameter(i + 4, ids.get(i));
            }
            Set<String> taken = new HashSet<>();
            for (Object id : update.getResultList()) {
                taken.add((String) id);
            }
            return ids.stream().filter(taken::contains).toList(); // in the order asked
        }
        List<String> claimed = new ArrayList<>(ids.size());
        for (String id : ids) {
            int updated = em.createQuery("UPDATE OutboxEvent e SET e.leaseOwner = :node, e.leaseUntil = :until,"
                            + " e.attempts = e.attempts + 1 WHERE e.id = :id AND e.status = 0 AND e.leaseUntil <= :now AND e.dueAt <= :now")
                    .setParameter("node", node)
                    .setParameter("until", leaseUntil)
                    .setParameter("id", id)
                    .setParameter("now", now)
                    .executeUpdate();
            if (updated == 1) {
                claimed.add(id);
            }
        }
        return claimed;
    }

    @Transactional
    public void delivered(List<String> ids) {
        em.createQuery("DELETE FROM OutboxEvent e WHERE e.id IN :ids").setParameter("ids", ids).executeUpdate();
    }

    /** A failed attempt: the event is due again at {@code dueAt}, or dead if {@code dueAt} is negative. */
    @Transactional
    public void failed(String id, String node, long dueAt, String error) {
        em.createQuery("UPDATE OutboxEvent e SET e.status = :status, e.dueAt = :due, e.leaseUntil = 0,"
                        + " e.lastError = :error WHERE e.id = :id AND e.leaseOwner = :node")
                .setParameter("status", dueAt < 0 ? OutboxEvent.DEAD : OutboxEvent.PENDING)
                .setParameter("due", Math.max(0, dueAt))
                .setParameter("error", error.length() > 500 ? error.substring(0, 500) : error)
                .setParameter("id", id)
                .setParameter("node", node)
                .executeUpdate();
    }

    /**
     * Ends the leases of a node that left the cluster, on its pending events and on the scan: its requests
     * died with it, and a uid's later events wait behind its first (a lease outlives the request by half a
     * minute, which a dead sender need not cost). Returns how many events are free again.
     */
    @Transactional
    public int releaseLeases(String node) {
        releaseScan(node);
        return em.createQuery("UPDATE OutboxEvent e SET e.leaseUntil = 0 WHERE e.leaseOwner = :node"
                        + " AND e.status = 0 AND e.leaseUntil > 0")
                .setParameter("node", node)
                .executeUpdate();
    }

    /** Events waiting to be delivered, on every node. */
    @Transactional
    public long pending() {
        return em.createQuery("SELECT COUNT(e) FROM OutboxEvent e WHERE e.status = 0", Long.class).getSingleResult();
    }

    /**
     * Deletes dead events created before {@code before}, and the reported positions that acknowledgements
     * have overtaken (they no longer hold anything back).
     */
    @Transactional
    public int purge(long before) {
        int deleted = em.createQuery("DELETE FROM OutboxEvent e WHERE e.status = 1 AND e.createdAt < :before")
                .setParameter("before", before)
                .executeUpdate();
        em.createQuery("DELETE FROM ReportedSeq r WHERE r.seq <= (SELECT s.ackedSeq FROM Stream s WHERE s.uid = r.uid)")
                .executeUpdate();
        return deleted;
    }

    /** Uids recorded online, in pages by uid. */
    @Transactional
    public List<String> onlineUids(String after, int limit) {
        return em.createQuery("SELECT o.uid FROM OnlineUid o WHERE o.uid > :after ORDER BY o.uid", String.class)
                .setParameter("after", after)
                .setMaxResults(limit)
                .getResultList();
    }

    /** Takes the scan's lease; false while another node's is current. */
    @Transactional
    public boolean claimScan(String node, long now, long leaseUntil) {
        return em.createQuery("UPDATE ScanState s SET s.leaseOwner = :node, s.leaseUntil = :until"
                        + " WHERE s.id = :id AND (s.leaseUntil <= :now OR s.leaseOwner = :node)")
                .setParameter("node", node)
                .setParameter("until", leaseUntil)
                .setParameter("id", ScanState.ID)
                .setParameter("now", now)
                .executeUpdate() == 1;
    }

    /**
     * One page of the scan for unacknowledged messages, in one transaction: durable messages created in
     * ({@code from}, {@code to}] (from is the previous scan's end less {@code slackMillis}, for commits that
     * came late, and never before {@code floor}) above their stream's acknowledged seq and above the seq
     * already reported for the uid. Each becomes a message.unacknowledged event, and the uid's reported
     * seq moves past it in the same transaction: reported once, and never lost. Returns whether the page
     * was full (more may follow).
     */
    @Transactional
    public boolean scan(Events events, long to, long slackMillis, long floor, int page) {
        ScanState state = em.find(ScanState.class, ScanState.ID);
        long from = state.scannedTo() == 0 ? to - slackMillis : Math.max(state.scannedTo() - slackMillis, floor);
        List<Object[]> rows = em.createQuery("SELECT m.uid, m.seq, m.messageId, m.createdAt"
                        + " FROM StoredMessage m, Stream s WHERE s.uid = m.uid AND m.uid NOT LIKE :groups"
                        + " AND m.createdAt > :from AND m.createdAt <= :to AND m.seq > s.ackedSeq"
                        + " AND NOT EXISTS (SELECT r.uid FROM ReportedSeq r WHERE r.uid = m.uid AND r.seq >= m.seq)"
                        + " ORDER BY m.createdAt, m.uid, m.seq", Object[].class)
                .setParameter("from", from)
                .setParameter("to", to)
                .setParameter("groups", StreamKey.GROUP_PATTERN) // group streams are not acknowledged
                .setMaxResults(page)
                .getResultList();
        Map<String, ReportedSeq> reported = new HashMap<>();
        long last = from;
        for (Object[] row : rows) {
            String uid = (String) row[0];
            long seq = ((Number) row[1]).longValue();
            long createdAt = ((Number) row[3]).longValue();
            ReportedSeq position = reported.computeIfAbsent(uid, key -> em.find(ReportedSeq.class, key));
            if (position == null) {
                position = new ReportedSeq(uid, seq);
                em.persist(position);
                reported.put(uid, position);
            } else if (position.seq() >= seq) {
                continue;
            } else {
                position.seq(seq);
            }
            em.persist(new OutboxEvent(events.unacknowledged(uid, seq, (String) row[2], createdAt)));
            last = createdAt;
        }
        boolean full = rows.size() >= page;
        state.scannedTo(full ? last : to);
        return full;
    }

    /** Ends this node's scan lease early, so that the next scan may run anywhere at once. */
    @Transactional
    public void releaseScan(String node) {
        em.createQuery("UPDATE ScanState s SET s.leaseUntil = 0 WHERE s.id = :id AND s.leaseOwner = :node")
                .setParameter("id", ScanState.ID)
                .setParameter("node", node)
                .executeUpdate();
    }
}
