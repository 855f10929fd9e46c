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
        MessageRate rate = new MessageRate(4, 2, 1_000_000, 1_000_000, 100, 0);
        assertEquals(ACCEPT, rate.next(0, 10));
        assertEquals(ACCEPT, rate.next(0, 10));
        assertEquals(DROP_AND_WARN, rate.next(0, 10));
        assertEquals(DROP, rate.next(0, 10));
        assertEquals(DROP, rate.next(0, 10));
        assertEquals(ACCEPT, rate.next(SECOND / 4, 10), "a token again after 250 ms");
        assertEquals(DROP, rate.next(SECOND / 4, 10), "still within the second of the last warning");
        for (int i = 0; i < 2; i++) {
            assertEquals(ACCEPT, rate.next(SECOND, 10), "refilled to the burst of two in the next 750 ms");
        }
        assertEquals(DROP_AND_WARN, rate.next(SECOND, 10), "warned again a second later");
    }

    @Test
    void aClientThatKeepsFloodingIsClosed() {
        MessageRate rate = new MessageRate(10, 10, 1_000_000, 1_000_000, 5, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(ACCEPT, rate.next(0, 10));
        }
        assertEquals(DROP_AND_WARN, rate.next(0, 10));
        assertEquals(DROP, rate.next(0, 10));
        assertEquals(DROP, rate.next(0, 10));
        assertEquals(DROP, rate.next(0, 10));
        assertEquals(CLOSE, rate.next(0, 10), "the fifth drop within the window");
    }

    @Test
    void dropsSpreadOverLongerThanTheWindowDoNotClose() {
        MessageRate rate = new MessageRate(1, 1, 1_000_000, 1_000_000, 3, 0);
        long now = 0;
        for (int round = 0; round < 20; round++) {
            assertEquals(ACCEPT, rate.next(now, 10));
            assertEquals(DROP_AND_WARN, rate.next(now, 10), "round " + round);
            now += MessageRate.WINDOW_NANOS + SECOND; // a new window, and the bucket has refilled
        }
    }

    @Test
    void bytesOverTheirRateAreDroppedEvenWithFramesToSpare() {
        MessageRate rate = new MessageRate(1000, 1000, 100, 250, 100, 0);
        assertEquals(ACCEPT, rate.next(0, 200));
        assertEquals(DROP_AND_WARN, rate.next(0, 100), "only 50 bytes left");
        assertEquals(ACCEPT, rate.next(0, 50));
        assertEquals(DROP, rate.next(0, 1));
        assertEquals(ACCEPT, rate.next(SECOND, 100), "100 bytes a second");
    }

    @Test
    void furtherPartsOfAFrameAreChargedTheirBytes() {
        MessageRate rate = new MessageRate(1000, 1000, 100, 100, 100, 0);
        assertEquals(ACCEPT, rate.next(0, 60));
        assertEquals(ACCEPT, rate.more(0, 40));
        assertEquals(DROP_AND_WARN, rate.more(0, 1));
    }

    @Test
    void aRefundedFrameDoesNotCountButItsBytesDo() {
        MessageRate rate = new MessageRate(1, 1, 100, 100, 100, 0);
        assertEquals(ACCEPT, rate.next(0, 30));
        rate.refundFrame();
        assertEquals(ACCEPT, rate.next(0, 30), "the frame token came back");
        rate.refundFrame();
        rate.refundFrame();
        assertEquals(ACCEPT, rate.next(0, 30), "never more than the burst");
        assertEquals(DROP_AND_WARN, rate.next(0, 30), "bucket empty again; and only 10 bytes are left anyway");
    }
}
