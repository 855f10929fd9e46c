package io.herald.client;

import java.util.ArrayList;
import java.util.List;

/**
 * One text frame of requests: the head of the queue coalesced into a JSON array (a single request is sent as
 * its object), never over {@code maxBytes} UTF-8 bytes nor {@code maxRequests} requests. A larger frame would
 * make the server close the connection (1009), so the byte limit is exact.
 */
record Frame(List<Request> requests, String text) {

    /**
     * Takes requests from the head of the queue for one frame; null if the queue is empty. The first request
     * is always taken: the channel never queues one larger than the frame limit.
     */
    static Frame next(RequestQueue queue, int maxRequests, int maxBytes) {
        List<Request> taken = new ArrayList<>();
        long sum = 0;
        while (taken.size() < maxRequests && queue.peek() != null) {
            Request next = queue.peek();
            if (!taken.isEmpty() && size(taken.size() + 1, sum + next.bytes) > maxBytes) {
                break;
            }
            taken.add(queue.poll());
            sum += next.bytes;
        }
        if (taken.isEmpty()) {
            return null;
        }
        if (taken.size() == 1) {
            return new Frame(taken, taken.get(0).text);
        }
        StringBuilder text = new StringBuilder((int) size(taken.size(), sum)).append('[');
        for (int i = 0; i < taken.size(); i++) {
            text.append(i == 0 ? "" : ",").append(taken.get(i).text);
        }
        return new Frame(taken, text.append(']').toString());
    }

    /** The UTF-8 size of a frame of {@code count} requests of {@code bytes} bytes together. */
    static long size(int count, long bytes) {
        return count == 1 ? bytes : bytes + 2 + (count - 1);
    }
}
