package io.herald.connection;

import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Frames;
import io.herald.routing.Outbox;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import jakarta.websocket.CloseReason;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client on the event stream door: how its {@link Outbox} writes events to the stream and ends it, and
 * the secret that its posted frames must name. Writes start on an executor, one at a time (the outbox
 * keeps one in flight until the sink says it is written): a server may write on the calling thread, and
 * the caller may be a fan-out loop. Nothing waits for a write to complete, so a client that does not read
 * holds no thread on a server that writes asynchronously; its send queue's bound closes it (4001). Its
 * HTTP response then ends when the server gives up the pending write (its write timeout) or the peer goes.
 */
final class StreamConnection implements Outbox.Sender, Outbox.Connection {

    private static final Logger LOG = Logger.getLogger(StreamConnection.class.getName());

    /** Close code for a stream that broke (the client went away): as a WebSocket that ended without a close. */
    static final int GONE = 1006;

    /** How long the end of a stream waits for a write being started, and then for its last event. */
    static final long LAST_WRITE_WAIT_SECONDS = 1;

    private final StreamConnections connections;
    private final SseEventSink sink;
    private final Sse sse;
    private final Executor writer;
    private final String secret;
    private final CounterDataPoint framesSent;
    private volatile Client client;
    private volatile Inbox inbox;
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicBoolean ended = new AtomicBoolean();

    StreamConnection(StreamConnections connections, SseEventSink sink, Sse sse, Executor writer, String secret) {
        this.connections = connections;
        this.sink = sink;
        this.sse = sse;
        this.writer = writer;
        this.secret = secret;
        this.framesSent = connections.metrics.framesSent(); // taken once: counted per frame
    }

    /** Set before the client's outbox is released: its writes and its end need the client. */
    void client(Client client) {
        this.client = client;
    }

    void inbox(Inbox inbox) {
        this.inbox = inbox;
    }

    Client client() {
        return client;
    }

    /** Null until the client is let in: a frame posted before then has nowhere to go. */
    Inbox inbox() {
        return inbox;
    }

    String secret() {
        return secret;
    }

    /** One event per frame; a durable message's seq is its event id, which EventSource sends back on reconnect. */
    @Override
    public void send(String frame, Consumer<Throwable> done) {
        OutboundSseEvent.Builder event = sse.newEventBuilder().data(frame);
        long seq = Frames.durableSeq(frame);
        if (seq >= 0) {
            event.id(Long.toString(seq));
        }
        write(event.build(), done);
    }

    private void write(OutboundSseEvent event, Consumer<Throwable> done) {
        Runnable task = () -> {
            CompletionStage<?> written;
            writing.lock();
            try {
                written = ended.get() ? CompletableFuture.failedFuture(new IllegalStateException("the stream has ended"))
                        : sink.send(event);
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            } finally {
                writing.unlock();
            }
            written.whenComplete((ignored, failure) -> done.accept(failure));
        };
        connections.run(writer, task);
    }

    @Override
    public void close(CloseReason reason) {
        end(reason.getCloseCode().getCode(), reason.getReasonPhrase());
    }

    @Override
    public void sent() {
        framesSent.inc();
    }

    @Override
    public void failed(Throwable cause) {
        connections.metrics.sendFailures().inc();
        connections.registry.remove(client);
        LOG.log(Level.FINE, () -> "sending to " + client + " failed: " + cause);
        end(GONE, "stream broken");
    }

    @Override
    public void overflowed(int dropped) {
        connections.metrics.slowConsumerCloses().inc();
        connections.metrics.sendFailures().inc(dropped);
        connections.registry.remove(client);
        connections.log.slowConsumer(client, connections.settings.sendQueueMaxFrames(),
                connections.settings.sendQueueMaxBytes());
    }

    /**
     * Ends the stream: a last {@code close} event (an event stream has no close frame), then the end of the
     * response. A close that invites a reconnect carries a random {@code retry} delay, so that plain
     * EventSource clients of a draining node do not all come back at the same moment.
     */
    private void end(int code, String reason) {
        OutboundSseEvent.Builder last = sse.newEventBuilder().data(Frames.close(code, reason));
        if (code == CloseCodes.SERVICE_RESTART.code() || code / 100 == 40) {
            last.reconnectDelay(1000 + ThreadLocalRandom.current().nextLong(4000));
        }
        OutboundSseEvent event = last.build();
        connections.run(writer, () -> {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                sendLast(event, code);
                sink.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, () -> "closing the stream of " + client + " failed: " + e);
            } finally {
                connections.ended(this, code);
            }
        });
    }

    /**
     * The last event, unless the stream broke: it waits (at most {@link #LAST_WRITE_WAIT_SECONDS} each) for
     * a write being started and for its own write, so that the close follows it, and never hangs on a
     * client that does not read.
     */
    private void sendLast(OutboundSseEvent event, int code) {
        CompletionStage<?> written;
        try {
            if (code == GONE || !writing.tryLock(LAST_WRITE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            written = sink.send(event);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, () -> "the close event to " + client + " was not sent: " + e);
            return;
        } finally {
            writing.unlock();
        }
        try {
            written.toCompletableFuture().get(LAST_WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.FINE, () -> "the close event to " + client + " was not written: " + e);
        }
    }
}
