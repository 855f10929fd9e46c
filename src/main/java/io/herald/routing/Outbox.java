package io.herald.routing;

import jakarta.websocket.CloseReason;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The ordered, bounded queue of frames waiting to be sent to one client.
 *
 * <p>At most one asynchronous send is in flight per connection (the WebSocket API allows no more, and an
 * event stream must keep its events whole and in order), so frames that arrive meanwhile wait here. Callers never block: {@link #offer} only appends. When more than
 * {@code maxFrames} frames, or more than {@code maxBytes} of frame text, would wait, the client is too slow
 * to keep up; it is closed (4001) instead of letting its backlog grow without bound or delay anyone else.
 * Bytes are counted as the frames' characters (JSON text, one byte each where it is ASCII). A frame larger
 * than {@code maxBytes} is still taken when nothing else waits, so one large message is never refused for
 * its size alone (its size is bounded where it enters Herald).
 *
 * <p>Frames are shared {@code String}s: a fan-out enqueues the same instance for every recipient.
 *
 * <p>An outbox made with {@link Framing#JOINED} (a WebSocket client that asked for {@code batch=1}) sends
 * what waited behind a finished send as one JSON array {@code [f1,f2,…]}: each WebSocket frame costs the
 * container a write and a flush, and a replay of stored messages otherwise spends much of its time there.
 * Joining changes only how frames leave: the queue's bounds still count frames one by one, and
 * {@link Connection#sent()} is called once per frame.
 */
public final class Outbox {

    /**
     * How frames leave: a WebSocket's asynchronous remote, or an event stream. {@code done} is called once
     * per frame, on any thread (possibly this one, before {@code send} returns), with null when it was sent
     * or with what failed.
     */
    public interface Sender {
        void send(String frame, Consumer<Throwable> done);
    }

    /** What the outbox needs from its connection: a way to close it and to count what happened. */
    public interface Connection {
        void close(CloseReason reason);

        /** A frame was sent: called once for each frame, also for each of a joined send's frames. */
        void sent();

        void failed(Throwable cause);

        /** The client overflowed; {@code dropped} frames were still waiting and will never be sent. */
        void overflowed(int dropped);
    }

    /** How frames that waited leave: one per send, or joined into one array per send. */
    public enum Framing {
        SINGLE,
        JOINED
    }

    /** At most this many frames in one joined send: a client handles them one by one anyway. */
    static final int MAX_JOINED_FRAMES = 64;

    /**
     * At most this many characters in one joined send, brackets and commas included, so that a joined frame
     * is no larger than a client frame may be by default ({@code herald.frame.max-bytes}) and no client's
     * buffer has to grow for it. A frame too large to join is sent alone.
     */
    static final int MAX_JOINED_CHARS = 64 * 1024;

    private final Sender sender;
    private final Connection connection;
    private final int maxFrames;
    private final long maxBytes;
    private final boolean joins;
    /** Sized for the common case, an empty queue: it grows only while a send is under way. */
    private final ArrayDeque<String> waiting = new ArrayDeque<>(1);
    private final Consumer<Throwable> onSent = this::onSent;

    // All guarded by this.
    private boolean sending;
    private boolean pumping;
    private boolean completedWhilePumping;
    private boolean closed;
    private boolean held;
    private long waitingBytes;
    /** How many frames the send under way holds: more than one when it joins them. */
    private int inFlight;
    private CloseReason closeWhenDrained;

    public Outbox(Sender sender, Connection connection, int maxFrames, long maxBytes) {
        this(sender, connection, maxFrames, maxBytes, Framing.SINGLE);
    }

    public Outbox(Sender sender, Connection connection, int maxFrames, long maxBytes, Framing framing) {
        this.sender = sender;
        this.connection = connection;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.joins = framing == Framing.JOINED;
    }

    /**
     * An outbox that queues but does not send until {@link #release()}: a new connection queues its
     * welcome, becomes visible to senders, and only then starts sending, so that the welcome goes first
     * and nobody can act on a clientId the registry does not know yet.
     */
    public static Outbox held(Sender sender, Connection connection, int maxFrames, long maxBytes) {
        return held(sender, connection, maxFrames, maxBytes, Framing.SINGLE);
    }

    /** As above, with the given framing; the first frame (the welcome) always goes alone. */
    public static Outbox held(Sender sender, Connection connection, int maxFrames, long maxBytes, Framing framing) {
        Outbox outbox = new Outbox(sender, connection, maxFrames, maxBytes, framing);
        outbox.held = true;
        outbox.sending = true; // frames queue as if a send were in flight
        return outbox;
    }

    /** Starts sending what a held outbox queued. */
    public void release() {
        String first;
        synchronized (this) {
            if (!held) {
                return;
            }
            held = false;
            first = closed ? null : poll(); // alone: the welcome is an object, whatever the framing
            if (first == null) {
                sending = false;
            } else {
                inFlight = 1;
            }
        }
        if (first != null) {
            pump(first);
        } else {
            closeIfDrained();
        }
    }

    /**
     * Queues a frame for sending. Returns false if the outbox is closed or overflowed (then the
     * connection is being closed with 4001).
     */
    public boolean offer(String frame) {
        int dropped = 0;
        synchronized (this) {
            if (closed || closeWhenDrained != null) {
                return false;
            }
            if (!sending) {
                sending = true;
                inFlight = 1;
            } else if (fits(frame)) {
                waiting.addLast(frame);
                waitingBytes += frame.length();
                return true;
            } else {
                closed = true;
                dropped = waiting.size() + 1;
                clear();
                frame = null;
            }
        }
        if (frame == null) {
            connection.overflowed(dropped);
            connection.close(CloseCodes.SLOW_CONSUMER.reason());
            return false;
        }
        pump(frame);
        return true;
    }

    /** Sends what is queued, then closes the connection with the given reason. */
    public void closeAfterDrain(CloseReason reason) {
        boolean closeNow;
        synchronized (this) {
            if (closed || closeWhenDrained != null) {
                return;
            }
            closeWhenDrained = reason;
            closeNow = !sending && !held;
            if (closeNow) {
                closed = true;
            }
        }
        if (closeNow) {
            connection.close(reason);
        }
    }

    /**
     * Drops whatever is queued and closes the connection at once: with the given reason, or with the one
     * of a close already decided (the first decision wins, e.g. 1012 when draining).
     */
    public void closeNow(CloseReason reason) {
        CloseReason decided;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            clear();
            decided = closeWhenDrained != null ? closeWhenDrained : reason;
        }
        connection.close(decided);
    }

    /** Drops whatever is queued; further offers are refused. */
    public void discard() {
        synchronized (this) {
            closed = true;
            clear();
        }
    }

    /** Whether the outbox takes no more frames: it is closed, or closing once what it holds is sent. */
    public synchronized boolean closing() {
        return closed || closeWhenDrained != null;
    }

    public synchronized int depth() {
        return waiting.size();
    }

    /** Characters of the frames waiting (not the one being sent). */
    public synchronized long bytes() {
        return waitingBytes;
    }

    /**
     * Sends frames one after another. A send that completes on this thread (common when the socket
     * buffer has room) continues the loop here instead of recursing from the completion handler, so
     * the stack stays flat however many frames are queued.
     */
    private void pump(String first) {
        String frame = first;
        while (frame != null) {
            synchronized (this) {
                pumping = true;
                completedWhilePumping = false;
            }
            try {
                sender.send(frame, onSent);
            } catch (RuntimeException e) {
                synchronized (this) {
                    pumping = false;
                }
                fail(e);
                return;
            }
            synchronized (this) {
                pumping = false;
                if (!completedWhilePumping) {
                    return; // the completion handler continues when the send finishes
                }
                frame = next();
            }
            if (frame == null) {
                closeIfDrained();
            }
        }
    }

    private void onSent(Throwable failure) {
        if (failure != null) {
            synchronized (this) {
                pumping = false;
            }
            fail(failure);
            return;
        }
        int frames;
        synchronized (this) {
            frames = inFlight;
        }
        for (int i = 0; i < frames; i++) {
            connection.sent(); // per frame, joined or not: the metrics count messages
        }
        String frame;
        synchronized (this) {
            if (pumping) {
                completedWhilePumping = true;
                return;
            }
            frame = next();
        }
        if (frame == null) {
            closeIfDrained();
        } else {
            pump(frame);
        }
    }

    /**
     * The next frame to send (joined with those behind it, if this outbox joins), or null after marking the
     * outbox idle. Caller holds the lock.
     */
    private String next() {
        String frame = closed ? null : poll();
        if (frame == null) {
            sending = false;
            return null;
        }
        inFlight = 1;
        return joins && !waiting.isEmpty() ? joinWithWaiting(frame) : frame;
    }

    /**
     * {@code first} and the frames behind it that fit the bounds, as one array; {@code first} as it is when
     * none does, so that a lone frame stays an object. The copy is bounded by {@link #MAX_JOINED_CHARS}.
     * Caller holds the lock.
     */
    private String joinWithWaiting(String first) {
        int count = 1;
        long chars = first.length() + 2L; // [ and ]
        for (String frame : waiting) {
            if (count == MAX_JOINED_FRAMES || chars + 1 + frame.length() > MAX_JOINED_CHARS) {
                break;
            }
            count++;
            chars += 1 + frame.length();
        }
        if (count == 1) {
            return first;
        }
        StringBuilder joined = new StringBuilder((int) chars).append('[').append(first);
        for (int i = 1; i < count; i++) {
            joined.append(',').append(poll());
        }
        inFlight = count;
        return joined.append(']').toString();
    }

    /** Whether one more frame may wait. Caller holds the lock. */
    private boolean fits(String frame) {
        return waiting.size() < maxFrames && (waiting.isEmpty() || waitingBytes + frame.length() <= maxBytes);
    }

    /** Caller holds the lock. */
    private String poll() {
        String frame = waiting.pollFirst();
        if (frame != null) {
            waitingBytes -= frame.length();
        }
        return frame;
    }

    /** Caller holds the lock. */
    private void clear() {
        waiting.clear();
        waitingBytes = 0;
    }

    private void closeIfDrained() {
        CloseReason reason;
        synchronized (this) {
            if (sending || held || closed || closeWhenDrained == null) {
                return;
            }
            closed = true;
            reason = closeWhenDrained;
        }
        connection.close(reason);
    }

    private void fail(Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            sending = false;
            clear();
        }
        connection.failed(cause);
    }
}
