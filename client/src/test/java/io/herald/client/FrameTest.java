package io.herald.client;

import static io.herald.client.RequestQueueTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameTest {

    /** Requests numbered 10, 11, …: all of the same size while they have two digits. */
    private static RequestQueue queueOf(int count, int dataChars) {
        RequestQueue queue = new RequestQueue(10_000, Long.MAX_VALUE);
        for (int i = 10; i < 10 + count; i++) {
            queue.add(request(i, dataChars));
        }
        return queue;
    }

    @Test
    void oneRequestIsSentAsItsObject() {
        Frame frame = Frame.next(queueOf(1, 5), 100, 1 << 20);
        assertEquals(1, frame.requests().size());
        assertTrue(frame.text().startsWith("{"), frame.text());
        assertEquals(10, Json.createReader(new StringReader(frame.text())).readObject().getInt("id"));
    }

    @Test
    void queuedRequestsAreCoalescedIntoOneArrayInOrder() {
        RequestQueue queue = queueOf(5, 5);
        Frame frame = Frame.next(queue, 100, 1 << 20);
        JsonArray array = Json.createReader(new StringReader(frame.text())).readArray();
        assertEquals(5, array.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 10, array.getJsonObject(i).getInt("id"));
        }
        assertTrue(queue.isEmpty());
        assertNull(Frame.next(queue, 100, 1 << 20));
    }

    @Test
    void aFrameNeverExceedsTheByteLimitAndTheRestWaits() {
        int one = request(10, 1000).bytes;
        for (int limit : new int[] {one, one + 1, 2 * one + 2, 2 * one + 3, 3 * one + 4, 10 * one}) {
            RequestQueue queue = queueOf(50, 1000);
            int sent = 0;
            Frame frame;
            while ((frame = Frame.next(queue, 1000, limit)) != null) {
                int size = frame.text().getBytes(StandardCharsets.UTF_8).length;
                assertTrue(size <= limit, "frame of " + size + " bytes over the limit " + limit);
                assertEquals(Frame.size(frame.requests().size(), frame.requests().stream().mapToLong(r -> r.bytes).sum()),
                        size, "the computed size is the real size");
                sent += frame.requests().size();
            }
            assertEquals(50, sent, "every request was sent, in frames within " + limit);
        }
        RequestQueue queue = queueOf(10, 1000);
        assertEquals(2, Frame.next(queue, 1000, 2 * one + 3).requests().size(), "exactly two fit in 2·n+3 bytes");
        assertEquals(1, Frame.next(queue, 1000, 2 * one + 2).requests().size(), "one byte less: one only");
    }

    @Test
    void multiByteCharactersCountAsTheirUtf8Bytes() {
        RequestQueue queue = new RequestQueue(100, Long.MAX_VALUE);
        for (int i = 1; i <= 20; i++) {
            queue.add(new Request(i, new Call("POST", "/broadcast",
                    Json.createObjectBuilder().add("data", "é€😀".repeat(30)).build(), null, false)));
        }
        int limit = 1000;
        Frame frame = Frame.next(queue, 100, limit);
        assertTrue(frame.text().getBytes(StandardCharsets.UTF_8).length <= limit);
        assertTrue(frame.text().length() < frame.text().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void theCountLimitHoldsToo() {
        RequestQueue queue = queueOf(10, 1);
        assertEquals(3, Frame.next(queue, 3, 1 << 20).requests().size());
        assertEquals(7, queue.size());
    }
}
