package io.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(1000, 300_000);

    @Test
    void stepsDoubleFromTheInitialDelayUpToTheCap() {
        assertEquals(1000, backoff.step(1));
        assertEquals(2000, backoff.step(2));
        assertEquals(4000, backoff.step(3));
        assertEquals(256_000, backoff.step(9));
        assertEquals(300_000, backoff.step(10), "capped");
        assertEquals(300_000, backoff.step(11));
    }

    @Test
    void neverOverflowsForManyAttempts() {
        for (int attempt = 1; attempt <= 1000; attempt++) {
            long step = backoff.step(attempt);
            assertTrue(step >= 1000 && step <= 300_000, "attempt " + attempt + ": " + step);
        }
        assertEquals(Long.MAX_VALUE, new Backoff(1, Long.MAX_VALUE).step(200));
        assertEquals(1L << 62, new Backoff(1, Long.MAX_VALUE).step(63));
    }

    @Test
    void jitterStaysInTheUpperHalfOfTheStep() {
        assertEquals(500, backoff.delay(1, 0.0));
        assertEquals(999, backoff.delay(1, 0.999));
        assertEquals(150_000, backoff.delay(50, 0.0));
        assertTrue(backoff.delay(50, 0.9999) <= 300_000);
        for (int i = 0; i < 1000; i++) {
            long delay = backoff.delay(4);
            assertTrue(delay >= 4000 && delay <= 8000, "attempt 4: " + delay);
        }
    }

    @Test
    void delaysGrowWithAttemptsDespiteJitter() {
        // The smallest delay of attempt n+1 is the largest of attempt n (until the cap).
        for (int attempt = 1; attempt < 9; attempt++) {
            assertTrue(backoff.delay(attempt + 1, 0.0) >= backoff.delay(attempt, 0.99999));
        }
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10));
    }
}
