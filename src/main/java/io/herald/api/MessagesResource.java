package io.herald.api;

import io.herald.security.ApiSettings;
import io.herald.gateway.Gateway;
import io.herald.gateway.Presence;
import io.herald.core.HeraldException;
import io.herald.core.Receipt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Sends to everyone, to lists of clients, uids and groups at once, and batches of messages to uids. */
@ApplicationScoped
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    @Inject
    Gateway gateway;

    @Inject
    Presence presence;

    @Inject
    Bodies bodies;

    @Inject
    ApiSettings settings;

    @POST
    @Path("broadcast")
    public Response broadcast(InputStream body) {
        return broadcast(bodies.object(body));
    }

    public Response broadcast(JsonObject request) {
        return Accepted.message(gateway.sendToAll(Bodies.data(request), Bodies.strings(request, "exclude")));
    }

    /**
     * {@code {"to": {"clients": [], "uids": [], "groups": []}, "data": …, "exclude": [], "durable": true}}.
     * The uids' share is durable unless {@code "durable": false} (one stored copy per uid, answered with
     * their seqs after the commit); clients and groups are sent to at once. A client reached both ways
     * gets the durable copy only.
     */
    @POST
    @Path("messages")
    public CompletionStage<Response> send(@HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
        return send(idempotencyKey, bodies.object(body));
    }

    public CompletionStage<Response> send(String idempotencyKey, JsonObject request) {
        JsonValue to = request.get("to");
        if (to == null || to.getValueType() != JsonValue.ValueType.OBJECT) {
            throw HeraldException.badRequest("bad_request",
                    "\"to\" is required: {\"clients\": [], \"uids\": [], \"groups\": []}");
        }
        JsonObject recipients = to.asJsonObject();
        List<String> clients = Bodies.strings(recipients, "clients");
        List<String> uids = Bodies.strings(recipients, "uids");
        List<String> groups = Bodies.strings(recipients, "groups");
        JsonValue data = Bodies.data(request);
        List<String> exclude = Bodies.strings(request, "exclude");
        if (uids.isEmpty() || !Bodies.flag(request, "durable", true)) {
            return CompletableFuture.completedFuture(
                    Accepted.message(gateway.send(clients, uids, groups, data, exclude)));
        }
        CompletionStage<Receipt> stored = gateway.store(uids, data, idempotencyKey);
        if (!clients.isEmpty() || !groups.isEmpty()) {
            Set<String> excluded = new HashSet<>(exclude);
            uids.forEach(uid -> excluded.addAll(presence.clientIdsOfUid(uid)));
            stored = stored.thenApply(receipt -> {
                gateway.send(clients, List.of(), groups, data, excluded);
                return receipt;
            });
        }
        return Accepted.stored(stored);
    }

    /**
     * {@code {"messages": [{"uid", "data", "idempotencyKey"?}, …], "durable": true}}: many different
     * messages, each for one uid, in one request. Durable (default): all stored, answered with their ids and
     * seqs once all are committed; {@code "durable": false}: each sent at once to its uid's online clients.
     * Everything is checked before anything is stored or sent.
     */
    @POST
    @Path("messages/batch")
    public CompletionStage<Response> batch(@HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
        return batch(idempotencyKey, bodies.object(body));
    }

    public CompletionStage<Response> batch(String idempotencyKey, JsonObject request) {
        if (idempotencyKey != null) {
            throw HeraldException.badRequest("bad_idempotency_key", "a batch takes an idempotency key per message"
                    + " (messages[i].idempotencyKey), not the Idempotency-Key header");
        }
        BatchBody batch = BatchBody.parse(request, settings.maxBatchMessages());
        if (!batch.durable()) {
            return CompletableFuture.completedFuture(Accepted.messages(gateway.sendAll(batch.messages())));
        }
        return Accepted.stored(gateway.storeAll(batch.messages()), batch.messages());
    }
}
