package io.herald.client;

import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A {@link Call} on its way: its number (also its {@code id} on the wire, unique for the client's life, so an
 * answer can never be taken for another request's), its frame text, serialized once when it is submitted so
 * that its size is known before it is queued, and the future its answer completes.
 */
final class Request {

    final long number;
    final Call call;
    final String text;
    final int bytes;
    final CompletableFuture<Answer> answer = new CompletableFuture<>();
    ScheduledFuture<?> timeout;

    Request(long number, Call call) {
        this.number = number;
        this.call = call;
        JsonObjectBuilder frame = JsonSupport.PROVIDER.createObjectBuilder()
                .add("id", number)
                .add("method", call.method())
                .add("path", call.path());
        if (call.body() != null) {
            frame.add("body", call.body());
        }
        if (call.idempotencyKey() != null) {
            frame.add("idempotencyKey", call.idempotencyKey());
        }
        this.text = frame.build().toString();
        this.bytes = text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return call.method() + " " + call.path() + " (#" + number + ")";
    }
}
