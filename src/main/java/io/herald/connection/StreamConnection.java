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

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client on the event stream door: how its {@link Outbox} writes events to the stream and ends it, and
 * the secret that its posted frames must name. Writes run on an executor, one at a time (the outbox keeps
 * one in flight, and the final {@code close} event waits for it): a write to a slow client may block, and
 * the caller may be a fan-out loop.
 */
final class StreamConnection implements Outbox.Sender, Outbox.Connection {

    private static final Logger LOG = Logger.getLogger(StreamConnection.class.getName());

    /** Close code for a stream that broke (the client went away): as a WebSocket that ended without a close. */
    static final int GONE = 1006;

    private final StreamConnections connections;
    private final SseEventSink sink;
    private final Sse sse;
    private final Executor writer;
    private final String secret;
    private final CounterDataPoint framesSent;
    private volatile Client client;
    private volatile Inbox inbox;
    private boolean ended; // guarded by this

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
            Throwable failure = null;
            synchronized (this) {
                if (ended) {
                    failure = new IllegalStateException("the stream has ended");
                } else {
                    try {
                        sink.send(event).toCompletableFuture().join();
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
            }
            done.accept(failure);
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
        connections.log.slowConsumer(client, connections.config.sendQueueMaxFrames(),
                connections.config.sendQueueMaxBytes());
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
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                if (code != GONE) {
                    try {
                        sink.send(event).toCompletableFuture().join();
                    } catch (RuntimeException e) {
                        LOG.log(Level.FINE, () -> "the close event to " + client + " was not sent: " + e);
                    }
                }
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, () -> "closing the stream of " + client + " failed: " + e);
                }
            }
            connections.ended(this, code);
        });
    }
}
