package io.herald.gateway;

/** Whether a message to a uid is stored and replayed (the default) or sent to online clients only. */
public enum Durability {
    /** Stored before the send returns, numbered in the uid's stream, replayed until acknowledged. */
    DURABLE,
    /** Sent to the uid's clients that are online now; nothing is stored (at most once). */
    EPHEMERAL
}
