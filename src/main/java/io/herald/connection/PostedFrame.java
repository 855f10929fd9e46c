package io.herald.connection;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * The body of one event-stream post, read as its bytes arrive (the Servlet API's non-blocking input): no
 * thread waits for them, so a client that sends them slowly, or never, holds only this small object until
 * the post's deadline ({@link #expire}). Each piece is charged to the client's rate before the next is
 * read; reading stops at the first refused charge and once the frame limit is passed. It ends exactly
 * once, with one {@link Outcome}, on whichever thread ended it.
 */
final class PostedFrame implements ReadListener {

    /** How a body ended. */
    sealed interface Outcome permits Read, Refused, Failed {
    }

    /** The whole body, at most the frame limit. */
    record Read(byte[] bytes) implements Outcome {
    }

    enum Refused implements Outcome {
        /** A piece was over the client's rate: the rest is not read. */
        RATE_LIMITED,
        /** More than the frame limit: the rest is not read. */
        TOO_LARGE,
        /** The deadline passed before the body ended. */
        TIMED_OUT
    }

    /** The input failed: the client went away, or its body ended early. */
    record Failed(Throwable error) implements Outcome {
    }

    private final ServletInputStream in;
    private final int limit;
    private final IntPredicate charge;
    private final Consumer<Outcome> ended;
    private final AtomicBoolean over = new AtomicBoolean();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[8192];

    /**
     * @param limit  the most bytes a body may have
     * @param charge charges each piece's bytes to the client, before the next piece is read; false refuses it
     * @param ended  told the outcome, once
     */
    PostedFrame(ServletInputStream in, int limit, IntPredicate charge, Consumer<Outcome> ended) {
        this.in = in;
        this.limit = limit;
        this.charge = charge;
        this.ended = ended;
    }

    /** The container's callbacks do not overlap, but the deadline may come on another thread meanwhile. */
    @Override
    public void onDataAvailable() throws IOException {
        int n;
        while (!over.get() && in.isReady() && (n = in.read(buffer)) >= 0) {
            if (n == 0) {
                continue;
            }
            if (!charge.test(n)) {
                end(Refused.RATE_LIMITED);
                return;
            }
            if (body.size() + n > limit) {
                end(Refused.TOO_LARGE);
                return;
            }
            body.write(buffer, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        end(new Read(body.toByteArray()));
    }

    @Override
    public void onError(Throwable error) {
        end(new Failed(error));
    }

    /** The deadline: ends the body as timed out, unless it has ended already (then false). */
    boolean expire() {
        return end(Refused.TIMED_OUT);
    }

    private boolean end(Outcome outcome) {
        if (!over.compareAndSet(false, true)) {
            return false;
        }
        ended.accept(outcome);
        return true;
    }
}
