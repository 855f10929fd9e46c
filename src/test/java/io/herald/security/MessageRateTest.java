package io.herald.security;

import static io.herald.security.MessageRate.Verdict.ACCEPT;
import static io.herald.security.MessageRate.Verdict.CLOSE;
import static io.herald.security.MessageRate.Verdict.DROP;
import static io.herald.security.MessageRate.Verdict.DROP_AND_WARN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessageRateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void overTheRateTheClientIsWarnedAtMostOnceASecond() {
        MessageRate rate = new MessageRate(4, 2, 100, 0);
        assertEquals(ACCEPT, rate.next(0));
        assertEquals(ACCEPT, rate.next(0));
        assertEquals(DROP_AND_WARN, rate.next(0));
        assertEquals(DROP, rate.next(0));
        assertEquals(DROP, rate.next(0));
        assertEquals(ACCEPT, rate.next(SECOND / 4), "a token again after 250 ms");
        assertEquals(DROP, rate.next(SECOND / 4), "still within the second of the last warning");
        for (int i = 0; i < 2; i++) {
            assertEquals(ACCEPT, rate.next(SECOND), "refilled to the burst of two in the next 750 ms");
        }
        assertEquals(DROP_AND_WARN, rate.next(SECOND), "warned again a second later");
    }

    @Test
    void aClientThatKeepsFloodingIsClosed() {
        MessageRate rate = new MessageRate(10, 10, 5, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(ACCEPT, rate.next(0));
        }
        assertEquals(DROP_AND_WARN, rate.next(0));
        assertEquals(DROP, rate.next(0));
        assertEquals(DROP, rate.next(0));
        assertEquals(DROP, rate.next(0));
        assertEquals(CLOSE, rate.next(0), "the fifth drop within the window");
    }

    @Test
    void dropsSpreadOverLongerThanTheWindowDoNotClose() {
        MessageRate rate = new MessageRate(1, 1, 3, 0);
        long now = 0;
        for (int round = 0; round < 20; round++) {
            assertEquals(ACCEPT, rate.next(now));
            assertEquals(DROP_AND_WARN, rate.next(now), "round " + round);
            now += MessageRate.WINDOW_NANOS + SECOND; // a new window, and the bucket has refilled
        }
    }
}
