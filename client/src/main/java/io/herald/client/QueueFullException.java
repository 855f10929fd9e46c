package io.herald.client;

/**
 * The request could not even be queued: {@code maxQueuedRequests} requests, or {@code maxQueuedBytes} bytes of
 * them, already wait to be sent (typically while the server is unreachable). Nothing was sent; the request may
 * be retried later. Thrown through the returned stage at once, so that a caller learns of the backlog instead
 * of piling more onto it.
 */
public final class QueueFullException extends HeraldException {

    QueueFullException(String message) {
        super(0, QUEUE_FULL, message);
    }
}
