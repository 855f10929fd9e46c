package io.herald.client;

import java.util.List;

/** Who a multi-recipient push ({@link HeraldClient#push}) goes to: clients, uids and groups together. */
public record Recipients(List<String> clients, List<String> uids, List<String> groups) {

    public Recipients {
        clients = List.copyOf(clients);
        uids = List.copyOf(uids);
        groups = List.copyOf(groups);
    }

    public static Recipients clients(String... clientIds) {
        return new Recipients(List.of(clientIds), List.of(), List.of());
    }

    public static Recipients uids(String... uids) {
        return new Recipients(List.of(), List.of(uids), List.of());
    }

    public static Recipients groups(String... groups) {
        return new Recipients(List.of(), List.of(), List.of(groups));
    }

    public Recipients andClients(String... more) {
        return new Recipients(concat(clients, more), uids, groups);
    }

    public Recipients andUids(String... more) {
        return new Recipients(clients, concat(uids, more), groups);
    }

    public Recipients andGroups(String... more) {
        return new Recipients(clients, uids, concat(groups, more));
    }

    private static List<String> concat(List<String> list, String... more) {
        return java.util.stream.Stream.concat(list.stream(), java.util.Arrays.stream(more)).toList();
    }
}
