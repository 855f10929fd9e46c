package io.herald.delivery;

import io.herald.core.Receipt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a stream lives in the store: one table of streams and one of messages hold both kinds, so that a
 * group's messages go through the same journal, seq assignment, replay and retention as a uid's. A uid's
 * stream is keyed by the uid itself, a group's by {@code #} and its name: {@code #} is not a name character
 * (core.Names), so the two can never meet, and group streams are told apart in SQL with
 * {@link #GROUP_PATTERN}.
 */
public final class StreamKey {

    private static final String GROUP_PREFIX = "#";
    /** A LIKE pattern that matches the keys of group streams, and only those. */
    public static final String GROUP_PATTERN = GROUP_PREFIX + "%";

    private StreamKey() {
    }

    /** The key of a group's stream (the name checked already). */
    public static String group(String group) {
        return GROUP_PREFIX + group;
    }

    public static boolean isGroup(String key) {
        return key.startsWith(GROUP_PREFIX);
    }

    /** The uid or group name of a stream key. */
    public static String name(String key) {
        return isGroup(key) ? key.substring(GROUP_PREFIX.length()) : key;
    }

    /** A receipt as callers read it: seqs by uid or group name, not by stream key. */
    public static Receipt named(Receipt receipt) {
        Map<String, Long> seqs = new LinkedHashMap<>();
        receipt.seqs().forEach((key, seq) -> seqs.put(name(key), seq));
        return new Receipt(receipt.id(), Map.copyOf(seqs));
    }
}
