package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static Backoff backoff(double random) {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> random);
    }

    @Test
    void theCeilingDoublesFromTheBaseUpToTheCap() {
        Backoff backoff = backoff(0.5);
        assertEquals(500, backoff.ceilingMillis(0));
        assertEquals(1000, backoff.ceilingMillis(1));
        assertEquals(16_000, backoff.ceilingMillis(5));
        assertEquals(30_000, backoff.ceilingMillis(6));
        assertEquals(30_000, backoff.ceilingMillis(61), "no overflow into a negative or tiny delay");
        assertEquals(30_000, backoff.ceilingMillis(1000));
    }

    @Test
    void theDelayIsUniformBelowTheCeiling() {
        assertEquals(0, backoff(0.0).delayMillis(3));
        assertEquals(1999, backoff(0.9995).delayMillis(2));
        assertEquals(29_985, backoff(0.9995).delayMillis(40));
    }

    @Test
    void realRandomnessStaysInBoundsAndSpreads() {
        Random random = new Random(42);
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random::nextDouble);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 10_000; i++) {
            long delay = backoff.delayMillis(10);
            assertTrue(delay >= 0 && delay < 30_000, "delay " + delay);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertTrue(min < 1_000 && max > 29_000, "full jitter spreads over the whole range: " + min + ".." + max);
    }

    @Test
    void aCapBelowTheBaseIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5));
    }
}
