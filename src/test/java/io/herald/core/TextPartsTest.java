package io.herald.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TextPartsTest {

    private final TextParts parts = new TextParts();
    private final AtomicInteger tooBig = new AtomicInteger();

    private String add(String part, boolean last, int max) {
        return parts.add(part, Utf8.length(part), last, max, tooBig::incrementAndGet);
    }

    @Test
    void aFrameInOnePartIsHandedOverAsItIs() {
        String frame = "{\"type\":\"ping\"}";
        assertSame(frame, add(frame, true, 100));
        assertTrue(parts.idle());
    }

    @Test
    void partsAreJoinedAtTheLast() {
        assertNull(add("{\"a\":", false, 100));
        assertNull(add("\"é\"", false, 100));
        assertEquals("{\"a\":\"é\"}", add("}", true, 100));
        assertTrue(parts.idle());
        assertEquals(0, tooBig.get());
    }

    @Test
    void aFrameOverTheBoundIsForgottenAtThePartThatPassesIt() {
        assertNull(add("12345", true, 4));
        assertEquals(1, tooBig.get());
        assertNull(add("12", false, 4));
        assertNull(add("é€", false, 4), "2 + 5 bytes: over");
        assertEquals(2, tooBig.get());
        assertTrue(parts.idle(), "nothing kept of it");
        assertEquals("ok", add("ok", true, 4));
    }

    @Test
    void aDroppedFrameLeavesNothing() {
        assertNull(add("{\"a\":", false, 100));
        parts.drop();
        assertTrue(parts.idle());
        assertEquals("{}", add("{}", true, 100));
    }
}
