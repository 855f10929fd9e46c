package io.herald.routing;

import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboxTest {

    /** A sender whose sends complete only when the test says so (or at once, if inline). */
    private static final class FakeRemote {
        final List<String> sent = new ArrayList<>();
        final List<Consumer<Throwable>> pending = new ArrayList<>();
        boolean completeInline;

        Outbox.Sender proxy() {
            return (frame, done) -> {
                sent.add(frame);
                if (completeInline) {
                    done.accept(null);
                } else {
                    pending.add(done);
                }
            };
        }

        void completeNext() {
            pending.remove(0).accept(null);
        }
    }

    private static final class FakeConnection implements Outbox.Connection {
        CloseReason closedWith;
        int sent;
        int failed;
        int overflowed;
        int dropped;

        @Override
        public void close(CloseReason reason) {
            closedWith = reason;
        }

        @Override
        public void sent() {
            sent++;
        }

        @Override
        public void failed(Throwable cause) {
            failed++;
        }

        @Override
        public void overflowed(int dropped) {
            overflowed++;
            this.dropped += dropped;
        }
    }

    private final FakeRemote remote = new FakeRemote();
    private final FakeConnection connection = new FakeConnection();

    @Test
    void oneSendInFlightAndTheRestInOrder() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("1");
        outbox.offer("2");
        outbox.offer("3");
        assertEquals(List.of("1"), remote.sent, "only one send may be in flight");
        assertEquals(2, outbox.depth());

        remote.completeNext();
        remote.completeNext();
        remote.completeNext();
        assertEquals(List.of("1", "2", "3"), remote.sent);
        assertEquals(3, connection.sent);
        assertEquals(0, outbox.depth());
    }

    @Test
    void inlineCompletionsDoNotGrowTheStack() {
        remote.completeInline = true;
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(outbox.offer("f" + i));
        }
        assertEquals(100_000, remote.sent.size());
        assertEquals("f99999", remote.sent.get(99_999));
    }

    @Test
    void overflowClosesAsSlowConsumerAndRefusesMore() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 2, 1 << 20);
        assertTrue(outbox.offer("in flight"));
        assertTrue(outbox.offer("queued 1"));
        assertTrue(outbox.offer("queued 2"));
        assertFalse(outbox.offer("one too many"));
        assertEquals(1, connection.overflowed);
        assertEquals(3, connection.dropped, "the two queued frames and the refused one are never sent");
        assertEquals(4001, connection.closedWith.getCloseCode().getCode());
        assertFalse(outbox.offer("after close"));

        remote.completeNext();
        assertEquals(List.of("in flight"), remote.sent, "queued frames of a closed outbox are dropped");
    }

    @Test
    void moreBytesThanTheBoundWaitingClosesAsSlowConsumer() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 1000, 100);
        assertTrue(outbox.offer("x".repeat(500)), "the frame in flight does not count");
        assertTrue(outbox.offer("y".repeat(60)));
        assertEquals(60, outbox.bytes());
        assertTrue(outbox.offer("z".repeat(40)), "exactly at the bound");
        assertFalse(outbox.offer("!"));
        assertEquals(1, connection.overflowed);
        assertEquals(3, connection.dropped);
        assertEquals(4001, connection.closedWith.getCloseCode().getCode());
        assertEquals(0, outbox.bytes());
    }

    @Test
    void aFrameLargerThanTheByteBoundIsTakenWhenNothingElseWaits() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 1000, 100);
        assertTrue(outbox.offer("in flight"));
        assertTrue(outbox.offer("b".repeat(1000)), "alone in the queue");
        assertFalse(outbox.offer("c"), "nothing more fits behind it");
        assertEquals(1, connection.overflowed);
    }

    @Test
    void sentFramesFreeTheirBytes() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 1000, 100);
        outbox.offer("in flight");
        outbox.offer("a".repeat(50));
        outbox.offer("b".repeat(50));
        remote.completeNext();
        assertEquals(50, outbox.bytes());
        remote.completeNext();
        assertEquals(0, outbox.bytes());
        assertTrue(outbox.offer("c".repeat(90)));
        assertEquals(0, connection.overflowed);
    }

    @Test
    void closeAfterDrainSendsWhatIsQueuedFirst() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("a");
        outbox.offer("last words");
        outbox.closeAfterDrain(CloseCodes.CLOSED_BY_APPLICATION.reason());
        assertFalse(outbox.offer("too late"));
        assertNull(connection.closedWith);

        remote.completeNext();
        assertNull(connection.closedWith, "still one frame to send");
        remote.completeNext();
        assertEquals(List.of("a", "last words"), remote.sent);
        assertEquals(4100, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void aHeldOutboxQueuesUntilReleasedAndThenSendsInOrder() {
        Outbox outbox = Outbox.held(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("welcome");
        outbox.offer("early message");
        assertEquals(List.of(), remote.sent, "nothing is sent before the release");
        outbox.release();
        assertEquals(List.of("welcome"), remote.sent);
        remote.completeNext();
        assertEquals(List.of("welcome", "early message"), remote.sent);
        remote.completeNext();
        outbox.offer("later");
        assertEquals(List.of("welcome", "early message", "later"), remote.sent);
    }

    @Test
    void aHeldOutboxClosedBeforeItsReleaseClosesAfterSendingItsQueue() {
        Outbox outbox = Outbox.held(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("welcome");
        outbox.closeAfterDrain(CloseCodes.CLOSED_BY_APPLICATION.reason());
        assertNull(connection.closedWith);
        outbox.release();
        remote.completeNext();
        assertEquals(List.of("welcome"), remote.sent);
        assertEquals(4100, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void theFirstCloseDecisionWins() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("in flight");
        outbox.closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        outbox.closeNow(CloseCodes.SERVER_ERROR.reason());
        assertEquals(1012, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void anOutboxIsClosingOnceACloseIsDecidedAndThenRefusesFrames() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        outbox.offer("in flight");
        assertFalse(outbox.closing());
        outbox.closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        assertTrue(outbox.closing(), "a replay stops feeding a client that is being closed");
        assertFalse(outbox.offer("late"));
        assertNull(connection.closedWith, "the frame in flight goes out first");
        remote.completeNext();
        assertEquals(List.of("in flight"), remote.sent);
        assertEquals(1012, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void closeAfterDrainOfAnIdleOutboxClosesAtOnce() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 10, 1 << 20);
        outbox.closeAfterDrain(CloseCodes.CLOSED_BY_APPLICATION.reason());
        assertEquals(4100, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void aFailedSendIsReportedOnceAndDropsTheQueue() {
        AtomicInteger sends = new AtomicInteger();
        Outbox.Sender failing = (frame, done) -> {
            sends.incrementAndGet();
            done.accept(new java.io.IOException("broken pipe"));
        };
        Outbox outbox = new Outbox(failing, connection, 10, 1 << 20);
        outbox.offer("x");
        assertFalse(outbox.offer("y"));
        assertEquals(1, connection.failed);
        assertEquals(1, sends.get());
    }

    // ---- joined frames (a WebSocket client with batch=1)

    private Outbox joining() {
        return new Outbox(remote.proxy(), connection, 1000, 1 << 20, Outbox.Framing.JOINED);
    }

    @Test
    void framesThatWaitedBehindASendGoOutAsOneArrayInOrder() {
        Outbox outbox = joining();
        outbox.offer("{\"n\":1}");
        outbox.offer("{\"n\":2}");
        outbox.offer("{\"n\":3}");
        outbox.offer("{\"n\":4}");
        assertEquals(List.of("{\"n\":1}"), remote.sent, "the first goes at once, alone");

        remote.completeNext();
        assertEquals("[{\"n\":2},{\"n\":3},{\"n\":4}]", remote.sent.get(1));
        assertEquals(1, connection.sent, "counted once the joined send completes");
        assertEquals(0, outbox.depth());
        assertEquals(0, outbox.bytes());

        remote.completeNext();
        assertEquals(4, connection.sent, "one per frame, joined or not");
        assertEquals(2, remote.sent.size());
    }

    @Test
    void oneWaitingFrameGoesAsItIsNotAsAOneElementArray() {
        Outbox outbox = joining();
        outbox.offer("{\"n\":1}");
        outbox.offer("{\"n\":2}");
        remote.completeNext();
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), remote.sent);
        remote.completeNext();
        outbox.offer("{\"n\":3}");
        assertEquals("{\"n\":3}", remote.sent.get(2), "an idle outbox sends a new frame alone at once");
        assertEquals(2, connection.sent);
    }

    @Test
    void aJoinedSendTakesAtMost64Frames() {
        Outbox outbox = joining();
        outbox.offer("first");
        for (int i = 0; i < 100; i++) {
            outbox.offer(String.valueOf(i));
        }
        remote.completeNext();
        String joined = remote.sent.get(1);
        assertEquals(Outbox.MAX_JOINED_FRAMES, joined.split(",").length);
        assertTrue(joined.startsWith("[0,1,") && joined.endsWith(",63]"), joined);
        assertEquals(100 - Outbox.MAX_JOINED_FRAMES, outbox.depth());

        remote.completeNext();
        assertTrue(remote.sent.get(2).startsWith("[64,65,") && remote.sent.get(2).endsWith(",99]"));
        remote.completeNext();
        assertEquals(101, connection.sent);
        assertEquals(3, remote.sent.size());
    }

    @Test
    void aJoinedSendHoldsAtMost64KiBOfCharacters() {
        Outbox outbox = joining();
        outbox.offer("first");
        String tenK = "x".repeat(10 * 1024);
        for (int i = 0; i < 8; i++) {
            outbox.offer(tenK);
        }
        remote.completeNext();
        String joined = remote.sent.get(1);
        assertEquals(6, joined.split(",").length, "six of 10 KiB fit in 64 KiB with their brackets and commas");
        assertTrue(joined.length() <= Outbox.MAX_JOINED_CHARS, "length " + joined.length());
        assertEquals(2, outbox.depth());
    }

    @Test
    void aFrameTooLargeToJoinGoesAlone() {
        Outbox outbox = joining();
        String huge = "h".repeat(Outbox.MAX_JOINED_CHARS);
        outbox.offer("first");
        outbox.offer("a");
        outbox.offer(huge);
        outbox.offer("b");
        outbox.offer("c");
        remote.completeNext();
        assertEquals("a", remote.sent.get(1), "nothing joins with it: the one before goes alone too");
        remote.completeNext();
        assertEquals(huge, remote.sent.get(2), "as it is, not in an array");
        remote.completeNext();
        assertEquals("[b,c]", remote.sent.get(3));
        remote.completeNext();
        assertEquals(5, connection.sent);
    }

    @Test
    void joiningKeepsTheQueuesBoundsPerFrame() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 2, 1 << 20, Outbox.Framing.JOINED);
        assertTrue(outbox.offer("in flight"));
        assertTrue(outbox.offer("queued 1"));
        assertTrue(outbox.offer("queued 2"));
        assertFalse(outbox.offer("one too many"), "two frames may wait, joined later or not");
        assertEquals(3, connection.dropped);
        assertEquals(4001, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void aHeldJoiningOutboxSendsItsFirstFrameAloneAndJoinsWhatFollows() {
        Outbox outbox = Outbox.held(remote.proxy(), connection, 10, 1 << 20, Outbox.Framing.JOINED);
        outbox.offer("welcome");
        outbox.offer("replay");
        outbox.offer("message");
        outbox.release();
        assertEquals(List.of("welcome"), remote.sent, "the welcome is always an object of its own");
        remote.completeNext();
        assertEquals(List.of("welcome", "[replay,message]"), remote.sent);
    }

    @Test
    void aJoiningOutboxClosesAfterDrainOnceTheJoinedSendCompletes() {
        Outbox outbox = joining();
        outbox.offer("a");
        outbox.offer("b");
        outbox.offer("c");
        outbox.closeAfterDrain(CloseCodes.SERVICE_RESTART.reason());
        remote.completeNext();
        assertNull(connection.closedWith, "the joined send is still under way");
        remote.completeNext();
        assertEquals(List.of("a", "[b,c]"), remote.sent);
        assertEquals(3, connection.sent);
        assertEquals(1012, connection.closedWith.getCloseCode().getCode());
    }

    @Test
    void aFailedJoinedSendIsReportedOnceAndCountsNothing() {
        Outbox outbox = joining();
        outbox.offer("a");
        outbox.offer("b");
        outbox.offer("c");
        remote.completeNext();
        remote.pending.remove(0).accept(new java.io.IOException("broken pipe"));
        assertEquals(1, connection.failed);
        assertEquals(1, connection.sent, "only the first frame was sent");
        assertFalse(outbox.offer("d"));
    }

    @Test
    void inlineCompletionsJoinNothingThatDidNotWait() {
        remote.completeInline = true;
        Outbox outbox = joining();
        for (int i = 0; i < 1000; i++) {
            assertTrue(outbox.offer("f" + i));
        }
        assertEquals(1000, remote.sent.size(), "each frame found the outbox idle: sent alone");
        assertEquals(1000, connection.sent);
    }

    @Test
    void withoutJoiningWaitingFramesStillGoOneByOne() {
        Outbox outbox = new Outbox(remote.proxy(), connection, 1000, 1 << 20, Outbox.Framing.SINGLE);
        outbox.offer("a");
        outbox.offer("b");
        outbox.offer("c");
        remote.completeNext();
        remote.completeNext();
        remote.completeNext();
        assertEquals(List.of("a", "b", "c"), remote.sent);
        assertEquals(3, connection.sent);
    }
}
