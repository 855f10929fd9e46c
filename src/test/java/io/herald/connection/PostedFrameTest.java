package io.herald.connection;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A posted frame is read as its pieces arrive: each charged before the next is read, nothing read past a
 * refused charge or the limit, and one outcome however the body and its deadline race.
 */
class PostedFrameTest {

    /** The charges asked for, in bytes. */
    private final List<Integer> charges = new ArrayList<>();
    private final List<PostedFrame.Outcome> outcomes = new ArrayList<>();

    /**
     * Pieces that have arrived, each readable in reads of at most 8 KiB; when none is left it is not ready,
     * unless the body is complete (then it reads -1). Reading when it is not ready fails the test.
     */
    private static final class Arriving extends ServletInputStream {
        private final Deque<byte[]> pieces = new ArrayDeque<>();
        private boolean complete;

        Arriving arrive(int bytes) {
            byte[] piece = new byte[bytes];
            piece[bytes - 1] = (byte) bytes;
            pieces.add(piece);
            return this;
        }

        Arriving complete() {
            complete = true;
            return this;
        }

        @Override
        public boolean isFinished() {
            return complete && pieces.isEmpty();
        }

        @Override
        public boolean isReady() {
            return !pieces.isEmpty() || complete;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException("the test calls the listener itself");
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (pieces.isEmpty()) {
                if (complete) {
                    return -1;
                }
                throw new AssertionError("read while not ready");
            }
            byte[] piece = pieces.poll();
            int n = Math.min(length, piece.length);
            System.arraycopy(piece, 0, buffer, offset, n);
            if (n < piece.length) {
                byte[] rest = new byte[piece.length - n];
                System.arraycopy(piece, n, rest, 0, rest.length);
                pieces.push(rest);
            }
            return n;
        }
    }

    private PostedFrame frame(Arriving in, int limit, int allowedBytes) {
        int[] left = {allowedBytes};
        return new PostedFrame(in, limit, n -> {
            charges.add(n);
            left[0] -= n;
            return left[0] >= 0;
        }, outcomes::add);
    }

    @Test
    void eachPieceIsChargedAsItArrivesAndTheBodyIsWhole() throws Exception {
        Arriving in = new Arriving().arrive(20_000);
        PostedFrame frame = frame(in, 65_536, Integer.MAX_VALUE);
        frame.onDataAvailable();
        assertEquals(List.of(8192, 8192, 3616), charges);
        assertTrue(outcomes.isEmpty(), "the body has not ended");
        in.arrive(10).complete();
        frame.onDataAvailable();
        frame.onAllDataRead();
        PostedFrame.Read read = assertInstanceOf(PostedFrame.Read.class, outcomes.get(0));
        assertEquals(20_010, read.bytes().length);
        assertEquals((byte) 10, read.bytes()[20_009]);
        assertFalse(frame.expire(), "a body that ended does not time out");
        assertEquals(1, outcomes.size());
    }

    @Test
    void aRefusedChargeEndsTheReadingAtOnce() throws Exception {
        Arriving in = new Arriving().arrive(8192).arrive(8192);
        PostedFrame frame = frame(in, 65_536, 10_000);
        frame.onDataAvailable();
        assertEquals(List.of(PostedFrame.Refused.RATE_LIMITED), outcomes);
        assertEquals(List.of(8192, 8192), charges);
        in.arrive(5);
        frame.onDataAvailable(); // the container may call again: nothing more is read or charged
        assertEquals(List.of(8192, 8192), charges);
        assertEquals(1, in.pieces.size(), "nothing read past the refusal");
    }

    @Test
    void nothingIsReadPastTheLimit() throws Exception {
        Arriving in = new Arriving().arrive(1000).arrive(1000).arrive(1000);
        PostedFrame frame = frame(in, 1500, Integer.MAX_VALUE);
        frame.onDataAvailable();
        assertEquals(List.of(PostedFrame.Refused.TOO_LARGE), outcomes);
        assertEquals(1, in.pieces.size(), "the third piece is not read");
    }

    @Test
    void aBodyThatStopsComingTimesOutOnceAndIsNotReadAfter() throws Exception {
        Arriving in = new Arriving().arrive(10);
        PostedFrame frame = frame(in, 65_536, Integer.MAX_VALUE);
        frame.onDataAvailable();
        assertTrue(frame.expire());
        assertFalse(frame.expire());
        in.arrive(10).complete();
        frame.onDataAvailable();
        frame.onAllDataRead();
        assertEquals(List.of(PostedFrame.Refused.TIMED_OUT), outcomes);
        assertEquals(List.of(10), charges, "nothing read after the deadline");
    }

    @Test
    void anEmptyBodyIsAFrameAndAFailureEndsIt() throws Exception {
        PostedFrame empty = frame(new Arriving().complete(), 1025, Integer.MAX_VALUE);
        empty.onDataAvailable();
        empty.onAllDataRead();
        assertArrayEquals(new byte[0], assertInstanceOf(PostedFrame.Read.class, outcomes.get(0)).bytes());

        outcomes.clear();
        PostedFrame broken = frame(new Arriving().arrive(10), 1025, Integer.MAX_VALUE);
        broken.onDataAvailable();
        broken.onError(new java.io.EOFException("the client went away"));
        broken.onAllDataRead();
        assertEquals(1, outcomes.size());
        assertInstanceOf(PostedFrame.Failed.class, outcomes.get(0));
    }
}
