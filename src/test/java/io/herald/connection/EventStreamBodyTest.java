package io.herald.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A posted frame of unknown length is charged piece by piece, and nothing is read past a refused charge. */
class EventStreamBodyTest {

    /** The charges asked for, as "first:n" and "more:n". */
    private final List<String> charges = new ArrayList<>();

    /** A body whose first {@code bytes} bytes are there, and whose rest never comes: reading on fails the test. */
    private static InputStream unfinished(int bytes) {
        InputStream never = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new AssertionError("read past a refused charge");
            }
        };
        return new SequenceInputStream(new ByteArrayInputStream(new byte[bytes]), never);
    }

    private byte[] read(InputStream body, int limit, int allowedBytes) throws IOException {
        int[] left = {allowedBytes};
        return EventStream.readCharged(body, limit,
                n -> charge("first", n, left), n -> charge("more", n, left));
    }

    private boolean charge(String kind, int bytes, int[] left) {
        charges.add(kind + ":" + bytes);
        left[0] -= bytes;
        return left[0] >= 0;
    }

    @Test
    void eachPieceIsChargedBeforeTheNextIsRead() throws IOException {
        byte[] body = new byte[20_000];
        body[19_999] = 7;
        assertArrayEquals(body, read(new ByteArrayInputStream(body), 65_537, Integer.MAX_VALUE));
        assertEquals(List.of("first:8192", "more:8192", "more:3616"), charges);
    }

    @Test
    void aRefusedChargeEndsTheReadingAtOnce() throws IOException {
        assertNull(read(unfinished(8192), 65_537, 0));
        assertEquals(List.of("first:8192"), charges);
    }

    @Test
    void aRefusedFurtherPieceEndsItToo() throws IOException {
        assertNull(read(unfinished(16_384), 65_537, 10_000));
        assertEquals(List.of("first:8192", "more:8192"), charges);
    }

    @Test
    void noMoreThanTheLimitIsReadAndAnEmptyBodyIsAFrame() throws IOException {
        assertEquals(1025, read(new ByteArrayInputStream(new byte[100_000]), 1025, Integer.MAX_VALUE).length);
        assertEquals(List.of("first:1025"), charges);
        charges.clear();
        assertEquals(0, read(new ByteArrayInputStream(new byte[0]), 1025, Integer.MAX_VALUE).length);
        assertEquals(List.of("first:0"), charges);
    }
}
