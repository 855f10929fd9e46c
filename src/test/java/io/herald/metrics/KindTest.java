package io.herald.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class KindTest {

    private static final List<String> NONE = List.of();
    private static final List<String> ONE = List.of("x");

    @Test
    void aSendIsOfTheOneKindItNames() {
        assertEquals(Kind.CLIENT, Kind.of(false, ONE, NONE, NONE));
        assertEquals(Kind.UID, Kind.of(false, NONE, ONE, NONE));
        assertEquals(Kind.GROUP, Kind.of(false, NONE, NONE, List.of("a", "b")));
        assertEquals(Kind.BROADCAST, Kind.of(true, NONE, NONE, NONE));
    }

    @Test
    void severalKindsAreMixedAndNoneIsNothing() {
        assertEquals(Kind.MIXED, Kind.of(false, ONE, NONE, ONE));
        assertEquals(Kind.MIXED, Kind.of(false, ONE, ONE, ONE));
        assertNull(Kind.of(false, NONE, NONE, NONE));
        assertEquals("broadcast", Kind.BROADCAST.label());
    }
}
