package io.herald.security;

import java.util.Locale;
import java.util.Set;

/**
 * Which client-to-client messages Herald relays ({@code herald.relay.policy}): a comma-separated list of
 * {@code uids} (to any uid), {@code groups-member} (to a group the sender is in), {@code groups} (to any
 * group), or one of {@code all} (all of these) and {@code none} (nothing; the default). Only a client bound
 * to a uid may send, because the recipient is told that uid as {@code from}.
 */
public final class RelayPolicy {

    private final boolean uids;
    private final boolean memberGroups;
    private final boolean anyGroup;

    private RelayPolicy(boolean uids, boolean memberGroups, boolean anyGroup) {
        this.uids = uids;
        this.memberGroups = memberGroups || anyGroup;
        this.anyGroup = anyGroup;
    }

    /** Parses the setting; throws IllegalArgumentException on an unknown word. */
    public static RelayPolicy parse(String setting) {
        boolean uids = false;
        boolean member = false;
        boolean any = false;
        for (String word : setting.toLowerCase(Locale.ROOT).split(",")) {
            switch (word.strip()) {
                case "", "none" -> { }
                case "uids" -> uids = true;
                case "groups-member" -> member = true;
                case "groups" -> any = true;
                case "all" -> {
                    uids = true;
                    any = true;
                }
                default -> throw new IllegalArgumentException("unknown herald.relay.policy '" + word.strip()
                        + "' (none, uids, groups-member, groups, all)");
            }
        }
        return new RelayPolicy(uids, member, any);
    }

    /** As the setting would say it, for the startup report. */
    @Override
    public String toString() {
        if (!uids && !memberGroups) {
            return "none";
        }
        return String.join(",", java.util.stream.Stream.of(uids ? "uids" : null,
                anyGroup ? "groups" : memberGroups ? "groups-member" : null)
                .filter(java.util.Objects::nonNull).toList());
    }

    public boolean toUid() {
        return uids;
    }

    /** May a client in {@code senderGroups} send to {@code group}? */
    public boolean toGroup(String group, Set<String> senderGroups) {
        return anyGroup || memberGroups && senderGroups.contains(group);
    }
}
