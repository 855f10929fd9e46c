package io.herald.delivery;

/**
 * The store is far behind: more reads wait for it than their bound allows, and one more is refused at once
 * instead of growing the queue. Its client is closed with 1013 (try again later) and comes back.
 */
public final class Backlogged extends RuntimeException {

    Backlogged(String message) {
        super(message, null, false, false);
    }
}
