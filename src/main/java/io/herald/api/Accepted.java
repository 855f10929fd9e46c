package io.herald.api;

import io.herald.gateway.HeraldException;
import io.herald.gateway.JsonCodec;
import io.herald.gateway.Receipt;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The answer to an accepted send: {@code 202 {"id": …}}, with the seq (one uid) or seqs (several) of a
 * durable push, sent only after the push is committed.
 */
final class Accepted {

    private static final Logger LOG = Logger.getLogger(Accepted.class.getName());

    private Accepted() {
    }

    static Response message(String id) {
        return accepted(JsonCodec.object().add("id", id));
    }

    /** {@code 202 {"id", "seq"}} for a push to one uid. */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt, String uid) {
        return answer(receipt, stored -> accepted(JsonCodec.object()
                .add("id", stored.id())
                .add("seq", stored.seq(uid))));
    }

    /** {@code 202 {"id", "seqs": {uid: seq}}} for a push to several uids. */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt) {
        return answer(receipt, stored -> {
            JsonObjectBuilder seqs = JsonCodec.object();
            stored.seqs().forEach(seqs::add);
            return accepted(JsonCodec.object().add("id", stored.id()).add("seqs", seqs));
        });
    }

    private static CompletionStage<Response> answer(CompletionStage<Receipt> receipt,
                                                    java.util.function.Function<Receipt, Response> ok) {
        return receipt.handle((stored, failure) -> {
            if (failure == null) {
                return ok.apply(stored);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof HeraldException refused) {
                return Errors.response(refused);
            }
            LOG.log(Level.WARNING, "a durable push failed", cause);
            return Errors.response(503, "store_unavailable", "the message could not be stored; retry");
        });
    }

    private static Response accepted(JsonObjectBuilder body) {
        return Response.accepted(body.build()).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
