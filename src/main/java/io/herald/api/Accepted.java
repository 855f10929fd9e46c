package io.herald.api;

import io.herald.gateway.HeraldException;
import io.herald.gateway.JsonCodec;
import io.herald.gateway.Receipt;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;
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
        return accepted(idField(id).append('}'));
    }

    /** {@code 202 {"id", "seq"}} for a push to one uid. */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt, String uid) {
        return answer(receipt, stored -> accepted(idField(stored.id())
                .append(",\"seq\":").append(stored.seq(uid)).append('}')));
    }

    /** {@code 202 {"id", "seqs": {uid: seq}}} for a push to several uids. */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt) {
        return answer(receipt, stored -> {
            StringBuilder body = idField(stored.id()).append(",\"seqs\":{");
            boolean first = true;
            for (Map.Entry<String, Long> seq : stored.seqs().entrySet()) {
                if (!first) {
                    body.append(',');
                }
                first = false;
                // A uid may hold characters that JSON escapes; JSON-P's string value does that.
                body.append(JsonCodec.string(seq.getKey())).append(':').append(seq.getValue());
            }
            return accepted(body.append("}}"));
        });
    }

    /** Message ids hold only [0-9a-z:] (routing.Ids): no escaping needed. */
    private static StringBuilder idField(String id) {
        return new StringBuilder(64).append("{\"id\":\"").append(id).append('"');
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

    /**
     * The body goes out as text already encoded: a JSON-P object would be written by the runtime's JSON-P
     * provider, which sets up a generator and an encoder buffer per response (measurable per push).
     */
    private static Response accepted(StringBuilder body) {
        return Response.accepted(body.toString()).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
