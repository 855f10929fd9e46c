package io.herald.delivery;

import io.herald.core.Receipt;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The durable store: streams of messages with gapless sequence numbers, one per uid and one per durable
 * group ({@link StreamKey}: the methods that take a "uid" take any stream's key).
 *
 * <p>Sequence numbers are assigned under a row lock on the uid's stream, in the same transaction that
 * stores the messages, so they stay gapless and ordered however many nodes and threads push to one uid.
 * Streams are locked in uid order so that concurrent batches cannot deadlock. Reads run in a transaction
 * too: they come from executor threads, where a container-managed entity manager is only usable inside one.
 */
@ApplicationScoped
public class Streams {

    @PersistenceContext(unitName = "herald")
    EntityManager em;

    @Inject
    Database database;

    /** The persistence unit's datasource (the default one), for the JDBC writes: appends and acknowledgements. */
    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    /**
     * Made at start, as {@link Database#start}: its datasource is looked up where the application's names
     * are, not in the first position read's turn, which an application's asynchronous observer may set off.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // injected
    }

    /** Stores a batch in one transaction; returns a receipt per append, in order. */
    @Transactional
    public List<Receipt> append(List<Append> batch) {
        return store(batch);
    }

    /** Stores pushes, in order, in the caller's transaction: they exist only if that transaction commits. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<Receipt> appendAllInCallerTransaction(List<Append> appends) {
        return store(appends);
    }

    /**
     * Plain JDBC on the transaction's connection (see {@link StreamAppender}). The entity manager is not
     * used for writes, so no persistence context holds a stale copy of a stream row written here.
     */
    private List<Receipt> store(List<Append> batch) {
        try (Connection connection = dataSource.getConnection()) {
            return new StreamAppender(connection, database.insertsUnlessPresent()).store(batch);
        } catch (SQLException e) {
            throw new PersistenceException("storing " + batch.size() + " durable pushes failed", e);
        }
    }

    /** The uid's stream, or null if nothing was ever stored for it. */
    @Transactional
    public Stream stream(String uid) {
        return em.find(Stream.class, uid);
    }

    /**
     * Messages of one uid read at once, in order; {@code end}: no message followed them when they were read.
     */
    public record Page(List<StoredMessage> messages, boolean end) {
    }

    /**
     * Up to {@code limit} messages of the uid after {@code afterSeq}, in order, and no more of them than
     * hold {@code maxChars} characters of data together; if {@code firstAlways}, the first is read however
     * large it is (else a page with nothing that fits is empty, and not the stream's {@code end}). A message
     * may hold a megabyte: two hundred of them read at once, for each of many clients replaying, would fill
     * any heap. So only the messages that fit come back with their data: on PostgreSQL one statement says
     * which fit by a running sum ({@link #readTogether}); elsewhere the sizes are read first (the heap gets
     * two numbers each), then the messages that fit. Plain JDBC outside any transaction, as
     * {@link #positions(List)}: in a resume storm through JPA, the transaction, the entities' hydration and
     * their dirty check at commit were most of the server's CPU. Each statement sees what was committed when
     * it ran, as in a READ COMMITTED transaction: a message purged between the two statements is missing
     * from the page (the reader sees the gap), and none stored meanwhile is in it.
     */
    public Page read(String uid, long afterSeq, int limit, long maxChars, boolean firstAlways) {
        return read(List.of(new PageAsk(uid, afterSeq, limit, maxChars, firstAlways))).get(0);
    }

    /** One page to read, as {@link #read(String, long, int, long, boolean)}'s arguments. */
    public record PageAsk(String uid, long afterSeq, int limit, long maxChars, boolean firstAlways) {
    }

    /**
     * The pages of these asks, in their order, each as {@link #read(String, long, int, long, boolean)}
     * reads it, on one connection of the pool. On PostgreSQL one statement reads every page at once
     * ({@link #readTogether}), so that clients replaying together cost the store one round trip, not two
     * each ({@link PageReads}); elsewhere each page takes its own two.
     */
    public List<Page> read(List<PageAsk> asks) {
        try (Connection connection = dataSource.getConnection()) {
            if (database.insertsUnlessPresent()) {
                return readTogether(connection, asks);
            }
            List<Page> pages = new ArrayList<>(asks.size());
            for (PageAsk ask : asks) {
                List<long[]> sizes = sizes(connection, ask);
                int fit = Pages.fitting(sizes.stream().map(size -> size[1]).toList(), ask.maxChars(), ask.firstAlways());
                pages.add(fit == 0 ? new Page(List.of(), sizes.isEmpty())
                        : new Page(messages(connection, ask.uid(), ask.afterSeq(), sizes.get(fit - 1)[0]),
                        fit == sizes.size() && sizes.size() < ask.limit()));
            }
            return pages;
        } catch (SQLException e) {
            throw new PersistenceException("reading the messages of " + (asks.size() == 1 ? "stream "
                    + asks.get(0).uid() : asks.size() + " streams") + " failed", e);
        }
    }

    /** Seq and data length of the messages one page may hold, in order. */
    private static List<long[]> sizes(Connection connection, PageAsk ask) throws SQLException {
        List<long[]> sizes = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT seq, LENGTH(data) FROM herald_message"
                + " WHERE uid = ? AND seq > ? ORDER BY seq LIMIT ?")) {
            select.setString(1, ask.uid());
            select.setLong(2, ask.afterSeq());
            select.setInt(3, ask.limit());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    sizes.add(new long[] {rows.getLong(1), rows.getLong(2)});
                }
            }
        }
        return sizes;
    }

    private static List<StoredMessage> messages(Connection connection, String uid, long afterSeq, long upTo)
            throws SQLException {
        List<StoredMessage> messages = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT seq, message_id, data, created_at"
                + " FROM herald_message WHERE uid = ? AND seq > ? AND seq <= ? ORDER BY seq")) {
            select.setString(1, uid);
            select.setLong(2, afterSeq);
            select.setLong(3, upTo);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    messages.add(new StoredMessage(uid, rows.getLong(1), rows.getString(2), rows.getString(3),
                            rows.getLong(4)));
                }
            }
        }
        return messages;
    }

    /**
     * Every ask's page in one statement and one pass: the asks are a table of arrays ({@code unnest … WITH
     * ORDINALITY}); for each, a lateral subquery reads its first {@code limit} rows by the primary key, and
     * a running sum of their data's length says which fit its characters. Only those carry their data back
     * (the first one also when it alone is over and {@code firstAlways}): a page's bound in characters holds
     * for Herald's heap, as with the sizes read first ({@link #sizes}), without a second statement.
     */
    private static List<Page> readTogether(Connection connection, List<PageAsk> asks) throws SQLException {
        List<List<StoredMessage>> fitting = new ArrayList<>(asks.size());
        int[] read = new int[asks.size()];
        asks.forEach(ask -> fitting.add(new ArrayList<>()));
        try (PreparedStatement select = connection.prepareStatement("SELECT w.i, m.seq, m.message_id, m.created_at,"
                + " CASE WHEN m.running <= w.max_chars OR (m.n = 1 AND w.first_always) THEN m.data END"
                + " FROM unnest(?::varchar[], ?::int8[], ?::int4[], ?::int8[], ?::bool[]) WITH ORDINALITY"
                + " AS w(uid, after_seq, lim, max_chars, first_always, i)"
                + " CROSS JOIN LATERAL (SELECT p.seq, p.message_id, p.data, p.created_at,"
                + " SUM(LENGTH(p.data)) OVER (ORDER BY p.seq) AS running, ROW_NUMBER() OVER (ORDER BY p.seq) AS n"
                + " FROM (SELECT seq, message_id, data, created_at FROM herald_message"
                + " WHERE uid = w.uid AND seq > w.after_seq ORDER BY seq LIMIT w.lim) p) m"
                + " ORDER BY w.i, m.seq")) {
            select.setArray(1, connection.createArrayOf("varchar", asks.stream().map(PageAsk::uid).toArray()));
            select.setArray(2, connection.createArrayOf("int8", asks.stream().map(PageAsk::afterSeq).toArray()));
            select.setArray(3, connection.createArrayOf("int4", asks.stream().map(PageAsk::limit).toArray()));
            select.setArray(4, connection.createArrayOf("int8", asks.stream().map(PageAsk::maxChars).toArray()));
            select.setArray(5, connection.createArrayOf("bool", asks.stream().map(PageAsk::firstAlways).toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    int i = (int) rows.getLong(1) - 1;
                    read[i]++;
                    String data = rows.getString(5);
                    // A prefix fits: once a row carries no data, none after it in the page does.
                    if (data != null && fitting.get(i).size() == read[i] - 1) {
                        fitting.get(i).add(new StoredMessage(asks.get(i).uid(), rows.getLong(2), rows.getString(3),
                                data, rows.getLong(4)));
                    }
                }
            }
        }
        List<Page> pages = new ArrayList<>(asks.size());
        for (int i = 0; i < asks.size(); i++) {
            int fit = fitting.get(i).size();
            pages.add(new Page(fitting.get(i), fit == 0 ? read[i] == 0 : fit == read[i] && read[i] < asks.get(i).limit()));
        }
        return pages;
    }

    /**
     * Where a client starting on a uid's stream stands: the stream's epoch, last and acknowledged seqs, and
     * the lowest seq still kept (0 if none is). {@code epoch} is null if nothing was ever stored for the uid.
     */
    public record Position(String epoch, long lastSeq, long ackedSeq, long oldestSeq) {

        boolean exists() {
            return epoch != null;
        }
    }

    /** Most stream keys read per statement by {@link #positions}: few distinct statement texts. */
    private static final int POSITIONS_CHUNK = 100;

    /**
     * Where clients starting on these streams stand, a statement per hundred streams, outside any
     * transaction (through JPA, a transaction, a find and a query per client were a third of the server's
     * CPU while thousands of clients connected). Every key is in the result; a stream that does not exist
     * has a null epoch. {@link PositionReads} gathers the streams of the clients starting together.
     */
    public Map<String, Position> positions(List<String> keys) {
        return positions(keys, Set.of()).positions();
    }

    /** Positions read, and the keys of the streams created by the same read. */
    public record Read(Map<String, Position> positions, Set<String> created) {
    }

    /**
     * The positions of these streams, as {@link #positions(List)}; those among {@code opening} that do not
     * exist are created with a new epoch, where the store can ({@link #opensTogether}), on the same
     * connection. A stream another node (or the journal) created meanwhile is read again, and is not among
     * those {@code created}.
     */
    public Read positions(List<String> keys, Set<String> opening) {
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Position> positions = read(connection, keys);
            List<String> missing = opening.stream().filter(key -> !positions.get(key).exists()).sorted().toList();
            if (missing.isEmpty() || !opensTogether()) {
                return new Read(positions, Set.of());
            }
            Map<String, Position> created = open(connection, missing);
            positions.putAll(created);
            List<String> raced = missing.stream().filter(key -> !created.containsKey(key)).toList();
            if (!raced.isEmpty()) {
                positions.putAll(read(connection, raced));
            }
            return new Read(positions, created.keySet());
        } catch (SQLException e) {
            throw new PersistenceException("reading the positions of " + keys.size() + " streams failed", e);
        }
    }

    private static Map<String, Position> read(Connection connection, List<String> keys) throws SQLException {
        Map<String, Position> positions = new HashMap<>();
        for (int from = 0; from < keys.size(); from += POSITIONS_CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + POSITIONS_CHUNK));
            StringBuilder sql = new StringBuilder("SELECT s.uid, s.epoch, s.last_seq, s.acked_seq,"
                    + " (SELECT MIN(m.seq) FROM herald_message m WHERE m.uid = s.uid)"
                    + " FROM herald_stream s WHERE s.uid IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement select = connection.prepareStatement(sql.append(')').toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    select.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        positions.put(rows.getString(1),
                                new Position(rows.getString(2), rows.getLong(3), rows.getLong(4), rows.getLong(5)));
                    }
                }
            }
        }
        for (String key : keys) {
            positions.putIfAbsent(key, new Position(null, 0, 0, 0));
        }
        return positions;
    }

    /** Whether {@link #positions(List, Set)} can create streams outside the journal (see {@link Database}). */
    public boolean opensTogether() {
        return database.insertsUnlessPresent();
    }

    /**
     * Creates these streams (sorted), a statement per hundred, each with a new epoch, unless they exist;
     * answers the position of each one it created. Sorted as the journal locks and creates streams, so that
     * the two never deadlock. For the clients of uids without a stream, which connect together in a storm:
     * the journal took a transaction (two locking reads and an insert) per stream, and the client then read
     * its position again. PostgreSQL only.
     */
    private static Map<String, Position> open(Connection connection, List<String> sorted) throws SQLException {
        Map<String, Position> created = new HashMap<>();
        long now = System.currentTimeMillis();
        for (int from = 0; from < sorted.size(); from += POSITIONS_CHUNK) {
            List<String> chunk = sorted.subList(from, Math.min(sorted.size(), from + POSITIONS_CHUNK));
            StringBuilder sql = new StringBuilder("INSERT INTO herald_stream (uid, epoch, last_seq, acked_seq,"
                    + " created_at) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?, 0, 0, ?)" : ", (?, ?, 0, 0, ?)");
            }
            sql.append(" ON CONFLICT (uid) DO NOTHING RETURNING uid, epoch");
            try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    insert.setString(3 * i + 1, chunk.get(i));
                    insert.setString(3 * i + 2, StreamAppender.newEpoch());
                    insert.setLong(3 * i + 3, now);
                }
                try (ResultSet rows = insert.executeQuery()) {
                    while (rows.next()) {
                        created.put(rows.getString(1), new Position(rows.getString(2), 0, 0, 0));
                    }
                }
            }
        }
        return created;
    }

    /**
     * Messages stored and not yet acknowledged, summed over every stream: one pass over the stream table
     * (one row per uid), never over the messages. For the metrics, which read it every few seconds at most.
     */
    @Transactional
    public long unacknowledged() {
        // Group streams are not acknowledged (each client keeps its own position): they have no backlog.
        Object sum = em.createQuery("SELECT SUM(s.lastSeq - s.ackedSeq) FROM Stream s WHERE s.uid NOT LIKE :groups")
                .setParameter("groups", StreamKey.GROUP_PATTERN)
                .setHint("jakarta.persistence.query.timeout", 5000)
                .getSingleResult();
        return sum == null ? 0 : ((Number) sum).longValue();
    }

    /**
     * Advances the acknowledged positions; a position never moves back nor past the last seq. One JDBC
     * batch of a single prepared statement: a flush carries the acks of thousands of uids, and one JPQL
     * update per uid cost more CPU than storing the messages. The rows are updated in the map's order,
     * which callers keep in uid order, the order in which the journal locks them: two transactions that
     * lock the same rows in different orders deadlock.
     */
    @Transactional
    public void acknowledge(SortedMap<String, Long> positions) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE herald_stream SET acked_seq = ?"
                     + " WHERE uid = ? AND acked_seq < ? AND last_seq >= ?")) {
            for (Map.Entry<String, Long> position : positions.entrySet()) {
                long seq = position.getValue();
                update.setLong(1, seq);
                update.setString(2, position.getKey());
                update.setLong(3, seq);
                update.setLong(4, seq);
                update.addBatch();
            }
            update.executeBatch();
        } catch (SQLException e) {
            throw new PersistenceException("storing " + positions.size() + " acknowledgements failed", e);
        }
    }

    /**
     * The group streams whose keys match {@code keyPattern} and none of {@code except} (SQL LIKE patterns,
     * {@code !} escapes), purged of messages stored before {@code olderThan} (epoch millis) and of those
     * beyond their newest {@code maxPerGroup}.
     */
    public record GroupPurge(String keyPattern, List<String> except, long olderThan, long maxPerGroup) {

        public GroupPurge {
            except = List.copyOf(except);
        }
    }

    /**
     * Deletes uid messages stored before {@code olderThan} (epoch millis) and those beyond the newest
     * {@code maxPerUid} of their uid, group messages by their groups' limits likewise, and idempotency
     * records older than the longest of the ages (a key outlives no message it answered for).
     * Returns messages deleted.
     */
    @Transactional
    public int purge(long olderThan, long maxPerUid, List<GroupPurge> groups) {
        int deleted = purge("NOT LIKE :keys", List.of(), StreamKey.GROUP_PATTERN, olderThan, maxPerUid);
        long oldestKept = olderThan;
        for (GroupPurge group : groups) {
            deleted += purge("LIKE :keys ESCAPE '!'", group.except(), group.keyPattern(), group.olderThan(),
                    group.maxPerGroup());
            oldestKept = Math.min(oldestKept, group.olderThan());
        }
        em.createQuery("DELETE FROM IdempotentPush p WHERE p.createdAt < :before")
                .setParameter("before", oldestKept)
                .executeUpdate();
        return deleted;
    }

    /** The messages of the streams whose keys match {@code keys} and none of {@code except}, past their limits. */
    private int purge(String keys, List<String> except, String pattern, long olderThan, long maxPerStream) {
        StringBuilder where = new StringBuilder("m.uid ").append(keys);
        for (int i = 0; i < except.size(); i++) {
            where.append(" AND m.uid NOT LIKE :except").append(i).append(" ESCAPE '!'");
        }
        Query byAge = em.createQuery("DELETE FROM StoredMessage m WHERE m.createdAt < :before AND "
                + where).setParameter("before", olderThan);
        Query byCount = em.createQuery("DELETE FROM StoredMessage m WHERE " + where
                + " AND m.seq + :max <= (SELECT s.lastSeq FROM Stream s WHERE s.uid = m.uid)").setParameter("max", maxPerStream);
        int deleted = 0;
        for (Query query : List.of(byAge, byCount)) {
            query.setParameter("keys", pattern);
            for (int i = 0; i < except.size(); i++) {
                query.setParameter("except" + i, except.get(i));
            }
            deleted += query.executeUpdate();
        }
        return deleted;
    }
}
