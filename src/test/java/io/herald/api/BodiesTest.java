package io.herald.api;

import io.herald.security.ApiSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.HeraldException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Request bodies as Bodies reads them: the JSON limits and trailing data, the size limit, broken streams. */
class BodiesTest {

    private static final int LIMIT = 4096;

    private static Bodies bodies() {
        Bodies bodies = new Bodies();
        bodies.settings = new ApiSettings(LIMIT, 1000, 1000);
        return bodies;
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static HeraldException refused(String body) {
        return assertThrows(HeraldException.class, () -> bodies().object(stream(body)));
    }

    private static void assertBadJson(String body, String reason) {
        HeraldException e = refused(body);
        assertEquals(400, e.status());
        assertEquals("bad_json", e.code());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void anObjectWithinTheLimitsIsRead() {
        assertEquals(1, bodies().object(stream(" {\"data\": [1, {\"a\": 2}]}\n")).getJsonArray("data").getInt(0));
        assertNull(bodies().optionalObject(stream("  ")), "an empty body is no object");
    }

    @Test
    void jsonBeyondTheParsingLimitsIs400WithTheLimitNamed() {
        assertBadJson("{\"data\":" + "[".repeat(1_001) + "]".repeat(1_001) + "}", "nested deeper than 64 levels");
        assertBadJson("{\"data\":" + "1".repeat(1_200) + "}", "a number longer than 100 characters");
    }

    @Test
    void dataAfterTheValueIs400() {
        assertBadJson("{\"data\":1} xyz", "data after the JSON value");
        assertBadJson("{\"data\":1}{\"data\":2}", "data after the JSON value");
    }

    @Test
    void brokenJsonIs400WithWhereItBroke() {
        assertBadJson("{\"data\": ", "not valid JSON");
        assertBadJson("{'single':'quotes'}", "not valid JSON");
        assertBadJson("[1,2]", "must be a JSON object");
        assertBadJson("", "a JSON object body is required");
    }

    @Test
    void aBodyOverTheLimitIsCutAndRefused() {
        String body = "{\"data\":\"" + "x".repeat(LIMIT) + "\"}";
        CountingStream counted = new CountingStream(stream(body));
        HeraldException e = assertThrows(HeraldException.class, () -> bodies().object(counted));
        assertInstanceOf(BodyTooLarge.class, e);
        assertEquals(413, e.status());
        assertEquals("body_too_large", e.code());
        assertTrue(counted.read <= LIMIT + 1, "read " + counted.read + " bytes, no more than one over the limit");
    }

    @Test
    void aBodyThatBreaksOffIs400() {
        InputStream broken = new SequenceInputStream(stream("{\"data\":"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
        HeraldException e = assertThrows(HeraldException.class, () -> bodies().object(broken));
        assertEquals(400, e.status());
        assertEquals("bad_request", e.code());
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        int read;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            read += Math.max(n, 0);
            return n;
        }
    }
}
