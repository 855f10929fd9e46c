package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.core.HeraldException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the backend channel reads a request's path: as REST's URLs are read. */
class OperationsTargetTest {

    @Test
    void segmentsArePercentDecodedAndAPlusStaysAPlus() {
        Operations.Target target = Operations.Target.parse("/groups/room%3A1/clients/a+b");
        assertArrayEquals(new String[] {"groups", "room:1", "clients", "a+b"}, target.segments());
        assertEquals(Map.of(), target.query());
    }

    @Test
    void theQueryIsDecodedAndTheFirstValueOfANameWins() {
        Operations.Target target = Operations.Target.parse("uids/u1/messages/?since=4&limit=1%30&since=9&x=a+b&flag");
        assertArrayEquals(new String[] {"uids", "u1", "messages"}, target.segments());
        assertEquals(Map.of("since", "4", "limit", "10", "x", "a b", "flag", ""), target.query());
    }

    @Test
    void theRootHasNoSegments() {
        assertEquals(0, Operations.Target.parse("/").segments().length);
        assertEquals(0, Operations.Target.parse("").segments().length);
    }

    @Test
    void aBrokenEscapeIsABadRequest() {
        HeraldException e = assertThrows(HeraldException.class, () -> Operations.Target.parse("/uids/%zz"));
        assertEquals(400, e.status());
    }
}
