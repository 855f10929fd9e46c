package io.herald.webhook;

import io.herald.core.Names;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every event, built from the longest names and numbers there can be, stays within the size that
 * SECURITY.md gives for the webhooks' buffer: nothing a client sends (data, sessions) gets into one.
 */
class EventsTest {

    /** The counter in an event's id may grow to 13 base-36 digits; these events were made with 1. */
    private static final int COUNTER_GROWTH = 12;

    @Test
    void theLargestEventOfEachTypeFitsTheBound() {
        Events events = new Events("zzzzzzzzzz");
        String name = "n".repeat(Names.MAX_LENGTH);
        String clientId = "zzzzzzzzzz-" + "z".repeat(13);
        String messageId = "zzzzzzzzzz:" + "z".repeat(13);
        List<Event> largest = List.of(
                events.uidOnline(name),
                events.uidOffline(name, Long.MIN_VALUE),
                events.clientConnected(clientId, name),
                events.clientClosed(clientId, name, Integer.MIN_VALUE),
                events.groupEmptied(name),
                events.unacknowledged(name, Long.MIN_VALUE, messageId, Long.MIN_VALUE));
        for (Event event : largest) {
            int chars = event.body().length() + COUNTER_GROWTH;
            assertTrue(chars <= Events.MAX_BODY_CHARS, event.type() + ": " + chars + " characters: " + event.body());
        }
    }
}
