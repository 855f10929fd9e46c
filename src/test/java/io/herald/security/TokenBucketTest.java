package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGivesItsCapacityAtOnceThenRefusesUntilItRefills() {
        TokenBucket bucket = new TokenBucket(3, 2, 0);
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(0), "empty after the burst");
        assertFalse(bucket.tryTake(SECOND / 4), "half a token after 250 ms at 2/s");
        assertTrue(bucket.tryTake(SECOND / 2), "one token after 500 ms");
        assertFalse(bucket.tryTake(SECOND / 2));
    }

    @Test
    void refillStopsAtCapacity() {
        TokenBucket bucket = new TokenBucket(2, 10, 0);
        assertTrue(bucket.full(100 * SECOND));
        int taken = 0;
        while (bucket.tryTake(100 * SECOND)) {
            taken++;
        }
        assertEquals(2, taken, "a long idle time does not bank more than the capacity");
    }

    @Test
    void retryAfterIsTheTimeToTheNextToken() {
        TokenBucket bucket = new TokenBucket(1, 0.25, 0);
        assertTrue(bucket.tryTake(0));
        assertEquals(4, bucket.secondsToNextToken(0));
        assertEquals(2, bucket.secondsToNextToken(2 * SECOND));
        assertEquals(1, bucket.secondsToNextToken(4 * SECOND), "never less than one second");
    }

    @Test
    void timeGoingBackwardsGrantsNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertTrue(bucket.tryTake(10 * SECOND));
        assertFalse(bucket.tryTake(5 * SECOND));
        assertFalse(bucket.tryTake(10 * SECOND));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
    }
}
