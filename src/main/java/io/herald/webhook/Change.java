package io.herald.webhook;

/**
 * Something to write to the outbox, waiting in the in-memory buffer. {@code ONLINE} and {@code OFFLINE}
 * also record the uid's reported presence, and carry their event only if it is to be sent; {@code EVENT}
 * is stored as it is; {@code GROUP_LEFT} becomes group.emptied if the group has no member on any node.
 */
record Change(Kind kind, String key, Event event) {

    enum Kind { ONLINE, OFFLINE, EVENT, GROUP_LEFT }
}
