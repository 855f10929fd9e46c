package io.herald.delivery;

import io.herald.core.JsonCodec;
import io.herald.core.Receipt;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObjectBuilder;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores one batch of appends on a connection of the current transaction, with plain JDBC: streams locked
 * in uid order (several per statement), seqs assigned in memory, messages inserted as one JDBC batch, each
 * stream's last seq updated once. The journal's writer is one thread, so its cost per message caps durable
 * throughput: through JPA, dirty checking, one lock round trip per uid and one insert per persist took
 * most of it (BENCHMARKS.md, "Where Herald's time goes"). A "uid" here is a stream's key ({@link StreamKey}):
 * a group's stream is locked, numbered and stored exactly as a uid's.
 */
final class StreamAppender {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Uids locked per statement: bounded, so that few distinct statement texts reach the database. */
    private static final int LOCK_CHUNK = 64;

    private final Connection connection;
    private final boolean insertsUnlessPresent;
    private final long now = System.currentTimeMillis();

    /** A uid's stream while the batch holds its lock: its last seq before the batch, and now. */
    private static final class Locked {
        final long lastBefore;
        long last;

        Locked(long last) {
            this.lastBefore = last;
            this.last = last;
        }
    }

    StreamAppender(Connection connection, boolean insertsUnlessPresent) {
        this.connection = connection;
        this.insertsUnlessPresent = insertsUnlessPresent;
    }

    List<Receipt> store(List<Append> batch) throws SQLException {
        Receipt[] receipts = new Receipt[batch.size()];
        Map<String, Receipt> byKey = new HashMap<>();
        TreeMap<String, Locked> streams = new TreeMap<>();

        for (int i = 0; i < batch.size(); i++) {
            String key = batch.get(i).idempotencyKey();
            if (key != null) {
                Receipt earlier = byKey.containsKey(key) ? byKey.get(key) : previous(key);
                if (earlier != null) {
                    receipts[i] = earlier;
                }
                byKey.putIfAbsent(key, earlier);
            }
            if (receipts[i] == null) {
                batch.get(i).streams().forEach(uid -> streams.put(uid, null));
            }
        }
        lock(streams);

        List<Object[]> messages = new ArrayList<>();
        List<Object[]> pushes = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (receipts[i] != null) {
                continue;
            }
            Append append = batch.get(i);
            if (append.opensOnly()) {
                receipts[i] = new Receipt(null, Map.of()); // the stream exists now; nothing to store
                continue;
            }
            String key = append.idempotencyKey();
            if (key != null && byKey.get(key) != null) {
                receipts[i] = byKey.get(key); // a retry inside the same batch
                continue;
            }
            Map<String, Long> seqs = new LinkedHashMap<>();
            for (String uid : append.streams()) {
                long seq = ++streams.get(uid).last;
                messages.add(new Object[] {uid, seq, append.messageId(), append.data()});
                seqs.put(uid, seq);
            }
            receipts[i] = new Receipt(append.messageId(), Map.copyOf(seqs));
            if (key != null) {
                pushes.add(new Object[] {key, append.messageId(), seqsJson(seqs)});
                byKey.put(key, receipts[i]);
            }
        }
        insertMessages(messages);
        advance(streams);
        insertPushes(pushes);
        return List.of(receipts);
    }

    /** Locks every stream of the batch in uid order, creating those that do not exist yet. */
    private void lock(TreeMap<String, Locked> streams) throws SQLException {
        lockExisting(streams, new ArrayList<>(streams.keySet()));
        List<String> missing = new ArrayList<>();
        streams.forEach((uid, locked) -> {
            if (locked == null) {
                missing.add(uid);
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        if (insertsUnlessPresent) {
            // Another node may be creating the same stream right now: the insert then waits for it and does
            // nothing, and the lock below finds its row, instead of failing this transaction on the key.
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO herald_stream"
                    + " (uid, epoch, last_seq, acked_seq, created_at) VALUES (?, ?, 0, 0, ?) ON CONFLICT (uid) DO NOTHING")) {
                for (String uid : missing) {
                    addStream(insert, uid);
                }
                insert.executeBatch();
            }
            lockExisting(streams, missing);
            for (String uid : missing) {
                if (streams.get(uid) == null) {
                    throw new SQLException("the stream of uid " + uid + " was neither found nor created");
                }
            }
        } else {
            // One node per database (the embedded H2), which has no portable "insert unless present". The
            // journal and a push in a caller's transaction may still create the same new stream at once: the
            // second insert waits for the first transaction and then fails on the key, which the journal
            // retries (its next attempt finds the row) and which fails the caller's transaction. Only the
            // very first pushes to a uid can meet this; PostgreSQL (above) has no such window.
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO herald_stream"
                    + " (uid, epoch, last_seq, acked_seq, created_at) VALUES (?, ?, 0, 0, ?)")) {
                for (String uid : missing) {
                    addStream(insert, uid);
                    streams.put(uid, new Locked(0));
                }
                insert.executeBatch();
            }
        }
    }

    private void addStream(PreparedStatement insert, String uid) throws SQLException {
        insert.setString(1, uid);
        insert.setString(2, newEpoch());
        insert.setLong(3, now);
        insert.addBatch();
    }

    /** Locks the streams of these uids (sorted) that exist, a chunk per statement, in uid order. */
    private void lockExisting(TreeMap<String, Locked> streams, List<String> uids) throws SQLException {
        for (int from = 0; from < uids.size(); from += LOCK_CHUNK) {
            List<String> chunk = uids.subList(from, Math.min(uids.size(), from + LOCK_CHUNK));
            StringBuilder sql = new StringBuilder("SELECT uid, last_seq FROM herald_stream WHERE uid IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append(") ORDER BY uid FOR UPDATE");
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    select.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        streams.put(rows.getString(1), new Locked(rows.getLong(2)));
                    }
                }
            }
        }
    }

    private void insertMessages(List<Object[]> messages) throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO herald_message"
                + " (uid, seq, message_id, data, created_at) VALUES (?, ?, ?, ?, ?)")) {
            for (Object[] message : messages) {
                insert.setString(1, (String) message[0]);
                insert.setLong(2, (Long) message[1]);
                insert.setString(3, (String) message[2]);
                insert.setString(4, (String) message[3]);
                insert.setLong(5, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Writes each stream's new last seq, once per stream, in uid order. */
    private void advance(TreeMap<String, Locked> streams) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE herald_stream SET last_seq = ? WHERE uid = ?")) {
            boolean any = false;
            for (Map.Entry<String, Locked> stream : streams.entrySet()) {
                Locked locked = stream.getValue();
                if (locked.last != locked.lastBefore) {
                    update.setLong(1, locked.last);
                    update.setString(2, stream.getKey());
                    update.addBatch();
                    any = true;
                }
            }
            if (any) {
                update.executeBatch();
            }
        }
    }

    private void insertPushes(List<Object[]> pushes) throws SQLException {
        if (pushes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO herald_push"
                + " (idempotency_key, message_id, seqs, created_at) VALUES (?, ?, ?, ?)")) {
            for (Object[] push : pushes) {
                insert.setString(1, (String) push[0]);
                insert.setString(2, (String) push[1]);
                insert.setString(3, (String) push[2]);
                insert.setLong(4, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private Receipt previous(String key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT message_id, seqs FROM herald_push WHERE idempotency_key = ?")) {
            select.setString(1, key);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Map<String, Long> seqs = new LinkedHashMap<>();
                JsonCodec.parse(row.getString(2)).asJsonObject()
                        .forEach((uid, seq) -> seqs.put(uid, ((JsonNumber) seq).longValue()));
                return new Receipt(row.getString(1), Map.copyOf(seqs));
            }
        }
    }

    private static String seqsJson(Map<String, Long> seqs) {
        JsonObjectBuilder json = JsonCodec.object();
        seqs.forEach(json::add);
        return json.build().toString();
    }

    static String newEpoch() {
        return Long.toString(System.currentTimeMillis(), 36) + Long.toString(RANDOM.nextLong() >>> 20, 36);
    }
}
