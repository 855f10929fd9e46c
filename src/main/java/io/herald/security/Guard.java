package io.herald.security;

import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Frames;
import io.herald.routing.Registry;

/**
 * What one connection may do once open: its frame rate ({@link MessageRate}) and, for an anonymous
 * client, that it receives but does not send until the backend binds it to a uid.
 */
public final class Guard {

    private final Client client;
    private final Registry registry;
    private final MessageRate rate;
    private final boolean anonymous;

    Guard(Client client, Registry registry, MessageRate rate, boolean anonymous) {
        this.client = client;
        this.registry = registry;
        this.rate = rate;
        this.anonymous = anonymous;
    }

    /**
     * Whether to read a new frame whose first part has {@code bytes} bytes: charged to the client's rate
     * in frames and bytes before anything parses it, so that a flood costs no more than counting. A frame
     * over the rate is dropped; the client hears about it at most once a second ({@code rate_limited}), and
     * is closed (4002) if it keeps on.
     */
    public boolean admit(int bytes) {
        return act(rate.next(System.nanoTime(), bytes));
    }

    /** Whether to read a further part of an admitted frame: its bytes are charged. */
    public boolean admitMore(int bytes) {
        return act(rate.more(System.nanoTime(), bytes));
    }

    /**
     * The admitted frame was a pong or an ack: they answer the server and only ever shrink its work, so
     * they do not use up the frame rate (their bytes stay charged).
     */
    public void refund() {
        rate.refundFrame();
    }

    private boolean act(MessageRate.Verdict verdict) {
        switch (verdict) {
            case ACCEPT -> {
                return true;
            }
            case DROP_AND_WARN -> client.send(Frames.error("rate_limited",
                    "too many frames or bytes: this one and the next ones over the rate are dropped"
                            + " (herald.limits.messages-per-second, herald.limits.bytes-per-second)"));
            case CLOSE -> {
                if (registry.remove(client)) {
                    client.outbox().closeNow(CloseCodes.RATE_LIMITED.reason());
                }
            }
            case DROP -> { }
        }
        return false;
    }

    /** Whether the client may send application messages; an anonymous, still unbound one may not. */
    public boolean maySend() {
        if (anonymous && client.uid() == null) {
            client.send(Frames.error("not_bound",
                    "an anonymous client may send once the backend has bound it to a uid"));
            return false;
        }
        return true;
    }
}
