package io.herald.client;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * The requests waiting to be sent, oldest first, bounded in count and in bytes: while the server is away a
 * backend would otherwise fill its heap. Not thread-safe: the channel holds its lock around every call.
 */
final class RequestQueue {

    private final int maxRequests;
    private final long maxBytes;
    private final Deque<Request> requests = new ArrayDeque<>();
    private long bytes;

    RequestQueue(int maxRequests, long maxBytes) {
        this.maxRequests = maxRequests;
        this.maxBytes = maxBytes;
    }

    /** Appends the request, or throws {@link QueueFullException} naming the limit it would break. */
    void add(Request request) {
        if (requests.size() >= maxRequests) {
            throw new QueueFullException("the request queue is full: " + requests.size()
                    + " requests wait to be sent (maxQueuedRequests " + maxRequests + "); " + request + " was not sent");
        }
        if (bytes + request.bytes > maxBytes) {
            throw new QueueFullException("the request queue is full: " + bytes + " bytes wait to be sent and "
                    + request + " has " + request.bytes + " more (maxQueuedBytes " + maxBytes + "); it was not sent");
        }
        requests.addLast(request);
        bytes += request.bytes;
    }

    /**
     * Puts requests that were in flight back at the head, in their original order, whatever the limits: they
     * were accepted once, and failing them now for the queue's sake would break the promise to re-send them.
     */
    void requeue(Collection<Request> inFlight) {
        List<Request> sorted = inFlight.stream().sorted(Comparator.comparingLong((Request r) -> r.number).reversed()).toList();
        for (Request request : sorted) {
            requests.addFirst(request);
            bytes += request.bytes;
        }
    }

    Request peek() {
        return requests.peekFirst();
    }

    Request poll() {
        Request request = requests.pollFirst();
        if (request != null) {
            bytes -= request.bytes;
        }
        return request;
    }

    boolean remove(Request request) {
        if (requests.remove(request)) {
            bytes -= request.bytes;
            return true;
        }
        return false;
    }

    /** What the queue holds, oldest first. */
    List<Request> list() {
        return List.copyOf(requests);
    }

    /** Empties the queue, returning what it held. */
    List<Request> clear() {
        List<Request> all = List.copyOf(requests);
        requests.clear();
        bytes = 0;
        return all;
    }

    int size() {
        return requests.size();
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return requests.isEmpty();
    }
}
