package io.herald.bench;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static io.herald.bench.Fleet.number;

/**
 * Checks every message of the soak. A payload is {@code {"x":id,"k":kind,"r":recipient,"n":number,"ts":…}}:
 * kind 0 an ephemeral push to client r's uid, 1 a durable push to it, 2 a send to permanent group r. Each
 * client keeps, per kind, the numbers it saw: a number seen twice is a duplicate. Durable seqs must follow
 * each other across reconnects (each client resumes with {@code since} its last seq): a jump is a gap.
 *
 * <p>The numbers are handed out per recipient, and what was accepted (2xx) is counted per recipient, so
 * that lost = accepted − distinct received, settled once the load stopped and everything drained.
 */
final class SoakChecker implements Fleet.Sink {

    static final int EPHEMERAL = 0;
    static final int DURABLE = 1;
    static final int GROUP = 2;

    final int id;
    final int groups;
    final int stable;
    /** Per client (ephemeral, durable) or per group: the next number to hand out, and how many were accepted. */
    final AtomicIntegerArray nextEphemeral;
    final AtomicIntegerArray acceptedEphemeral;
    final AtomicIntegerArray nextDurable;
    final AtomicIntegerArray acceptedDurable;
    final AtomicIntegerArray nextGroup;
    final AtomicIntegerArray acceptedGroup;
    /** Seen numbers per client; written on the client's listener thread, read once everything settled. */
    private final BitSet[] gotEphemeral;
    private final BitSet[] gotDurable;
    private final BitSet[] gotGroup;
    final AtomicLong receivedEphemeral = new AtomicLong();
    final AtomicLong receivedDurable = new AtomicLong();
    final AtomicLong receivedGroup = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong misrouted = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong stray = new AtomicLong();
    final AtomicLong replays = new AtomicLong();
    final AtomicLong unrecovered = new AtomicLong();

    SoakChecker(int id, int clients, int stable, int groups) {
        this.id = id;
        this.groups = groups;
        this.stable = stable;
        nextEphemeral = new AtomicIntegerArray(clients);
        acceptedEphemeral = new AtomicIntegerArray(clients);
        nextDurable = new AtomicIntegerArray(clients);
        acceptedDurable = new AtomicIntegerArray(clients);
        nextGroup = new AtomicIntegerArray(groups);
        acceptedGroup = new AtomicIntegerArray(groups);
        gotEphemeral = new BitSet[clients];
        gotDurable = new BitSet[clients];
        gotGroup = new BitSet[clients];
    }

    String payload(int kind, int recipient, int n) {
        return "{\"x\":" + id + ",\"k\":" + kind + ",\"r\":" + recipient + ",\"n\":" + n + ",\"ts\":"
                + System.nanoTime() + "}";
    }

    /** The permanent group of a stable client; -1 for the churned ones, which are in none. */
    int groupOf(int index) {
        return index < stable ? index % groups : -1;
    }

    @Override
    public void replay(Fleet.Conn conn, String frame, long nanos) {
        replays.incrementAndGet();
        if (!frame.contains("\"recovered\":true")) {
            unrecovered.incrementAndGet();
        }
    }

    @Override
    public void message(Fleet.Conn conn, String frame, long nanos) {
        int d = frame.indexOf("\"data\":");
        if (d < 0 || number(frame, "\"x\":", d) != id) {
            stray.incrementAndGet();
            return;
        }
        int kind = (int) number(frame, "\"k\":", d);
        long r = number(frame, "\"r\":", d);
        int n = (int) number(frame, "\"n\":", d);
        int i = conn.index;
        switch (kind) {
            case EPHEMERAL -> record(r == i, gotEphemeral, i, n, receivedEphemeral);
            case DURABLE -> {
                long seq = number(frame, "\"seq\":", 0);
                if (seq != Long.MIN_VALUE) {
                    if (seq > conn.lastSeq + 1) {
                        gaps.incrementAndGet();
                    }
                    conn.lastSeq = Math.max(conn.lastSeq, seq);
                }
                record(r == i, gotDurable, i, n, receivedDurable);
            }
            case GROUP -> record(r == groupOf(i), gotGroup, i, n, receivedGroup);
            default -> stray.incrementAndGet();
        }
    }

    private void record(boolean forThisClient, BitSet[] got, int i, int n, AtomicLong received) {
        if (!forThisClient) {
            misrouted.incrementAndGet();
            return;
        }
        BitSet seen = got[i];
        if (seen == null) {
            seen = new BitSet();
            got[i] = seen;
        }
        if (seen.get(n)) {
            duplicated.incrementAndGet();
            return;
        }
        seen.set(n);
        received.incrementAndGet();
    }

    /** Lost ephemeral messages: accepted for client i (a stable one) and not received. */
    long missingEphemeral(int i) {
        return Math.max(0, acceptedEphemeral.get(i) - cardinality(gotEphemeral[i]));
    }

    long missingDurable(int i) {
        return Math.max(0, acceptedDurable.get(i) - cardinality(gotDurable[i]));
    }

    long missingGroup(int i) {
        int g = groupOf(i);
        return g < 0 ? 0 : Math.max(0, acceptedGroup.get(g) - cardinality(gotGroup[i]));
    }

    private static int cardinality(BitSet seen) {
        return seen == null ? 0 : seen.cardinality();
    }

    static long sum(AtomicIntegerArray array) {
        long total = 0;
        for (int i = 0; i < array.length(); i++) {
            total += array.get(i);
        }
        return total;
    }
}
