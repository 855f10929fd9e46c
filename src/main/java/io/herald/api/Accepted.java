package io.herald.api;

import io.herald.core.HeraldException;
import io.herald.core.Receipt;
import io.herald.gateway.UidMessage;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
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
        return accepted(idField(id).append('}').toString());
    }

    /**
     * {@code 202 {"id", "seq"}} for a push to one uid; a retry whose key was first used for a push to other
     * uids gets that push's answer as it was, {@code {"id", "seqs"}}.
     */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt, String uid) {
        return answer(receipt, stored -> accepted(uidReceipt(new StringBuilder(64), stored, uid).toString()));
    }

    /**
     * {@code {"id", "seq"}}: the receipt of a push to one uid; a retry whose key was first used for a push to
     * other uids gets that push's answer as it was, {@code {"id", "seqs"}}.
     */
    private static StringBuilder uidReceipt(StringBuilder json, Receipt receipt, String uid) {
        json.append("{\"id\":\"").append(receipt.id()).append('"');
        Long seq = receipt.seqs().get(uid);
        return (seq != null ? json.append(",\"seq\":").append(seq.longValue()) : seqsField(json, receipt.seqs()))
                .append('}');
    }

    /** {@code 202 {"id", "seqs": {uid: seq}}} for a push to several uids. */
    static CompletionStage<Response> stored(CompletionStage<Receipt> receipt) {
        return answer(receipt, stored -> accepted(
                seqsField(idField(stored.id()), stored.seqs()).append('}').toString()));
    }

    private static StringBuilder idField(String id) {
        return new StringBuilder(64).append("{\"id\":\"").append(id).append('"');
    }

    private static StringBuilder seqsField(StringBuilder json, Map<String, Long> seqs) {
        json.append(",\"seqs\":{");
        String comma = "";
        for (Map.Entry<String, Long> seq : seqs.entrySet()) {
            json.append(comma).append('"').append(seq.getKey()).append("\":").append(seq.getValue());
            comma = ",";
        }
        return json.append('}');
    }

    /** {@code 202 {"messages": [{"id"}, …]}} for a batch sent at once, in the batch's order. */
    static Response messages(List<String> ids) {
        StringBuilder json = new StringBuilder(16 + ids.size() * 32).append("{\"messages\":[");
        for (int i = 0; i < ids.size(); i++) {
            json.append(i == 0 ? "{\"id\":\"" : ",{\"id\":\"").append(ids.get(i)).append("\"}");
        }
        return accepted(json.append("]}").toString());
    }

    /**
     * {@code 202 {"messages": [{"id", "seq"}, …]}} for a stored batch, in the batch's order, once all of it
     * is committed. An entry whose idempotency key was first used for a push to other uids gets that push's
     * receipt as it was: {@code {"id", "seqs": {uid: seq}}}.
     */
    static CompletionStage<Response> stored(CompletionStage<List<Receipt>> receipts, List<UidMessage> messages) {
        return answer(receipts, stored -> {
            StringBuilder json = new StringBuilder(16 + stored.size() * 40).append("{\"messages\":[");
            for (int i = 0; i < stored.size(); i++) {
                uidReceipt(i == 0 ? json : json.append(','), stored.get(i), messages.get(i).uid());
            }
            return accepted(json.append("]}").toString());
        });
    }

    private static <T> CompletionStage<Response> answer(CompletionStage<T> receipt,
                                                        java.util.function.Function<T, Response> ok) {
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
     * A body written as text: JSON-P's message body writer costs measurable CPU per response. Only for
     * text whose strings need no escaping: message ids ({@code node:counter}, [0-9a-z:]) and uids (the
     * name rules' characters, routing.Names).
     */
    private static Response accepted(String json) {
        return Response.accepted(json).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
