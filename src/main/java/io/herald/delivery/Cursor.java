package io.herald.delivery;

import io.herald.routing.Client;
import io.herald.routing.Frames;

/**
 * Where one client stands in one stream, its uid's or one of its groups': the last seq sent to it (-1 until
 * its replay starts), and the highest seq it acknowledged (-1: none yet; group streams are not
 * acknowledged). While {@code replaying}, stored messages are read from the database and live deliveries
 * only record the highest seq they carried, so that the switch from replay to live has neither a gap nor a
 * duplicate. Guarded by its own lock.
 */
final class Cursor {

    final Client client;
    /** The stream's key in the store ({@link StreamKey}). */
    final String stream;
    /** The uid, or the group's name. */
    final String name;
    final boolean group;

    long position = -1;
    long acked = -1;
    boolean replaying = true;
    long pendingMax;
    boolean detached;
    /** Characters of data the replay queued for the client since its send queue was last seen empty. */
    long queuedChars;

    private Cursor(Client client, String stream, String name, boolean group) {
        this.client = client;
        this.stream = stream;
        this.name = name;
        this.group = group;
    }

    static Cursor ofUid(Client client, String uid) {
        return new Cursor(client, uid, uid, false);
    }

    static Cursor ofGroup(Client client, String group) {
        return new Cursor(client, StreamKey.group(group), group, true);
    }

    /** A message of this stream as the client receives it. */
    String frame(String messageId, long seq, String data) {
        return group ? Frames.groupMessage(messageId, name, seq, data) : Frames.durableMessage(messageId, seq, data);
    }

    /** This stream's replay frame (see {@link Frames#replay}). */
    String replay(String epoch, long since, long seq, String lost, long oldest) {
        return Frames.replay(group ? "group" : "uid", name, epoch, since, seq, lost, oldest);
    }

    @Override
    public String toString() {
        return (group ? "group " : "uid ") + name;
    }
}
