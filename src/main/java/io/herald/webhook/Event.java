package io.herald.webhook;

/**
 * One webhook event as it is stored and sent: {@code body} is the JSON text that is signed. {@code uid}
 * orders delivery (null: no order with other events); {@code sortKey} is this node's strictly growing
 * clock in microseconds, so events keep the order in which they happened here.
 */
record Event(String id, EventType type, String uid, String body, long createdAt, long sortKey) {
}
