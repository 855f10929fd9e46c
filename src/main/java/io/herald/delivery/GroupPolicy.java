package io.herald.delivery;

import io.herald.config.BadSetting;
import io.herald.core.Names;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * How long a durable group's messages are kept and what a member joining it without a position gets:
 * the defaults ({@code herald.durable.groups.retention}, {@code max-per-group}, {@code join-last}), or the
 * first rule of {@code herald.durable.groups.rules} whose pattern names the group.
 *
 * @param retention   how long the group's messages are kept
 * @param maxPerGroup newest messages kept
 * @param joinLast    newest stored messages a member gets when it starts on the stream without a position
 */
public record GroupPolicy(Duration retention, long maxPerGroup, int joinLast) {

    /** The most a member may get on joining: a join-last is a replay, and a replay's length is bounded. */
    static final int MAX_JOIN_LAST = 1000;
    /** Rules are matched per join and purged one statement each: a short list. */
    static final int MAX_RULES = 50;
    static final String RULES_KEY = "herald.durable.groups.rules";
    private static final String RULE_FORM = "comma-separated rules, each a group name or a name prefix ending "
            + "in * followed by one or more of retention=<ISO-8601 duration>, max-per-group=<n ≥ 1> and "
            + "join-last=<0.." + MAX_JOIN_LAST + ">, such as: dash:* max-per-group=1 join-last=1, room:* retention=P7D";

    /**
     * One rule: a pattern (a group name, or a prefix and {@code *}) and the policy of the groups it names.
     */
    public record Rule(String pattern, GroupPolicy policy) {

        public boolean matches(String group) {
            return prefix() ? group.startsWith(pattern.substring(0, pattern.length() - 1)) : group.equals(pattern);
        }

        private boolean prefix() {
            return pattern.endsWith("*");
        }

        /**
         * The SQL LIKE pattern of the stream keys of the groups it names, with {@code !} as the escape
         * character ({@code _} is a name character and a LIKE wildcard; {@code !} is no name character).
         */
        public String keyPattern() {
            String name = prefix() ? pattern.substring(0, pattern.length() - 1) : pattern;
            String escaped = StreamKey.group(name).replace("_", "!_");
            return prefix() ? escaped + "%" : escaped;
        }
    }

    /**
     * Reads {@code herald.durable.groups.rules}: each entry is a pattern and settings that replace the
     * defaults for the groups it names; the first matching entry applies.
     */
    public static List<Rule> rules(List<String> entries, GroupPolicy defaults) {
        if (entries.size() > MAX_RULES) {
            throw new BadSetting(RULES_KEY, String.join(",", entries), "at most " + MAX_RULES + " rules");
        }
        List<Rule> rules = new ArrayList<>();
        for (String entry : entries) {
            rules.add(rule(entry, defaults));
        }
        return List.copyOf(rules);
    }

    private static Rule rule(String entry, GroupPolicy defaults) {
        String[] words = entry.split("\\s+");
        String pattern = words[0];
        String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
        if (words.length < 2 || !(name.isEmpty() ? pattern.equals("*") : Names.validName(name))) {
            throw new BadSetting(RULES_KEY, entry, RULE_FORM);
        }
        Duration retention = defaults.retention();
        long maxPerGroup = defaults.maxPerGroup();
        int joinLast = defaults.joinLast();
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            int equals = word.indexOf('=');
            String value = equals < 0 ? "" : word.substring(equals + 1);
            try {
                switch (equals < 0 ? word : word.substring(0, equals)) {
                    case "retention" -> retention = positive(Duration.parse(value));
                    case "max-per-group" -> maxPerGroup = atLeast(Long.parseLong(value), 1, Long.MAX_VALUE);
                    case "join-last" -> joinLast = (int) atLeast(Integer.parseInt(value), 0, MAX_JOIN_LAST);
                    default -> throw new IllegalArgumentException(word);
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new BadSetting(RULES_KEY, entry, RULE_FORM);
            }
        }
        return new Rule(pattern, new GroupPolicy(retention, maxPerGroup, joinLast));
    }

    private static Duration positive(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(duration.toString());
        }
        return duration;
    }

    private static long atLeast(long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(Long.toString(value));
        }
        return value;
    }
}
