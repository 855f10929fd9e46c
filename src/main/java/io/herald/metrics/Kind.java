package io.herald.metrics;

import java.util.Collection;
import java.util.Locale;

/** Whom a push was addressed to: the {@code kind} label of the push and delivery counters. */
public enum Kind {
    CLIENT, UID, GROUP, BROADCAST,
    /** One send naming recipients of several kinds at once (POST /api/messages). */
    MIXED;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }

    /** The kind of a send to everyone, or to the union of the given recipients; null if it names none. */
    public static Kind of(boolean everyone, Collection<String> clientIds, Collection<String> uids,
                          Collection<String> groups) {
        if (everyone) {
            return BROADCAST;
        }
        int kinds = (clientIds.isEmpty() ? 0 : 1) + (uids.isEmpty() ? 0 : 1) + (groups.isEmpty() ? 0 : 1);
        if (kinds == 0) {
            return null;
        }
        if (kinds > 1) {
            return MIXED;
        }
        return !clientIds.isEmpty() ? CLIENT : !uids.isEmpty() ? UID : GROUP;
    }
}
