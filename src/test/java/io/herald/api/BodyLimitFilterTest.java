package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which Content-Length headers the filter refuses before the body is read. */
class BodyLimitFilterTest {

    @Test
    void aStatedLengthOverTheLimitIsRefused() {
        assertTrue(BodyLimitFilter.declaredOver("2049", 2048));
        assertTrue(BodyLimitFilter.declaredOver(" 20971520 ", 1_048_576));
        assertTrue(BodyLimitFilter.declaredOver("9223372036854775807", Integer.MAX_VALUE), "the largest long");
        assertTrue(BodyLimitFilter.declaredOver("99999999999999999999999", Integer.MAX_VALUE), "beyond a long");
    }

    @Test
    void aLengthWithinTheLimitOrNoneIsLeftToTheReading() {
        assertFalse(BodyLimitFilter.declaredOver("2048", 2048));
        assertFalse(BodyLimitFilter.declaredOver("0", 2048));
        assertFalse(BodyLimitFilter.declaredOver(null, 2048), "chunked: cut while reading");
        assertFalse(BodyLimitFilter.declaredOver("", 2048));
        assertFalse(BodyLimitFilter.declaredOver("-1", 2048), "malformed: the server's to refuse");
        assertFalse(BodyLimitFilter.declaredOver("12ab", 2048));
        assertFalse(BodyLimitFilter.declaredOver("5000,5000", 2048), "two headers joined: the server's to refuse");
    }
}
