package io.herald.connection;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.LongAdder;

/** Counters of what the connections did since the node started (GET /api/stats). */
@ApplicationScoped
public class Stats {

    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder slowConsumerCloses = new LongAdder();
    private final LongAdder heartbeatCloses = new LongAdder();

    public void messageIn() {
        messagesIn.increment();
    }

    public void messageOut() {
        messagesOut.increment();
    }

    public void sendFailure() {
        sendFailures.increment();
    }

    public void sendFailures(int frames) {
        sendFailures.add(frames);
    }

    public void slowConsumerClose() {
        slowConsumerCloses.increment();
    }

    public void heartbeatClose() {
        heartbeatCloses.increment();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long sendFailures() {
        return sendFailures.sum();
    }

    public long slowConsumerCloses() {
        return slowConsumerCloses.sum();
    }

    public long heartbeatCloses() {
        return heartbeatCloses.sum();
    }
}
