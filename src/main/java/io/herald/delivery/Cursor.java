package io.herald.delivery;

import io.herald.routing.Client;

/**
 * Where one client stands in its uid's stream: the last seq sent to it (-1 until its replay starts), and
 * the highest seq it acknowledged (-1: none yet). While {@code replaying}, stored
 * messages are read from the database and live deliveries only record the highest seq they carried, so
 * that the switch from replay to live has neither a gap nor a duplicate. Guarded by its own lock.
 */
final class Cursor {

    final Client client;
    final String uid;

    long position = -1;
    long acked = -1;
    boolean replaying = true;
    long pendingMax;
    boolean detached;
    /** Characters of data the replay queued for the client since its send queue was last seen empty. */
    long queuedChars;

    Cursor(Client client, String uid) {
        this.client = client;
        this.uid = uid;
    }
}
