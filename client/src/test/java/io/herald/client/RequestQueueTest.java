package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestQueueTest {

    static Request request(long number, int dataChars) {
        return new Request(number, new Call("POST", "/uids/u/messages",
                Json.createObjectBuilder().add("data", "x".repeat(dataChars)).build(), null, false));
    }

    @Test
    void theItemLimitRefusesTheNextRequestNamingTheLimit() {
        RequestQueue queue = new RequestQueue(3, Long.MAX_VALUE);
        for (int i = 1; i <= 3; i++) {
            queue.add(request(i, 10));
        }
        QueueFullException full = assertThrows(QueueFullException.class, () -> queue.add(request(4, 10)));
        assertTrue(full.getMessage().contains("maxQueuedRequests 3"), full.getMessage());
        assertEquals(HeraldException.QUEUE_FULL, full.code());
        assertEquals(3, queue.size());
    }

    @Test
    void theByteLimitCountsTheSerializedRequests() {
        Request first = request(1, 100);
        Request second = request(2, 100);
        RequestQueue queue = new RequestQueue(100, first.bytes + second.bytes + 5);
        queue.add(first);
        queue.add(second);
        assertEquals(first.bytes + second.bytes, queue.bytes());
        QueueFullException full = assertThrows(QueueFullException.class, () -> queue.add(request(3, 10)));
        assertTrue(full.getMessage().contains("maxQueuedBytes"), full.getMessage());
        queue.poll();
        queue.add(request(3, 10));
        assertEquals(2, queue.size());
    }

    @Test
    void requeuedRequestsGoBackToTheHeadInTheirOrderBeyondTheLimits() {
        RequestQueue queue = new RequestQueue(2, Long.MAX_VALUE);
        queue.add(request(10, 1));
        queue.add(request(11, 1));
        Request five = request(5, 1);
        Request seven = request(7, 1);
        queue.requeue(List.of(seven, five));
        assertEquals(4, queue.size());
        assertSame(five, queue.poll());
        assertSame(seven, queue.poll());
        assertEquals(10, queue.poll().number);
    }

    @Test
    void removingARequestFreesItsBytes() {
        RequestQueue queue = new RequestQueue(10, Long.MAX_VALUE);
        Request one = request(1, 50);
        queue.add(one);
        queue.add(request(2, 50));
        assertTrue(queue.remove(one));
        assertEquals(queue.peek().bytes, queue.bytes());
    }
}
