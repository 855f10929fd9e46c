package io.herald.it.support;

import java.util.concurrent.ThreadLocalRandom;

/** Unique uids and group names, so tests sharing one deployment do not see each other's state. */
public final class Names {

    /** The form of a clientId: a 10-character node id, a dash, a base-36 counter. */
    public static final String CLIENT_ID_PATTERN = "[0-9a-z]{10}-[0-9a-z]+";

    private Names() {
    }

    public static String unique(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    }

    /** The node part of a clientId. */
    public static String node(String clientId) {
        int dash = clientId.indexOf('-');
        return dash < 0 ? clientId : clientId.substring(0, dash);
    }
}
