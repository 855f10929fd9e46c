package io.herald.api;

import io.herald.delivery.Stream;
import io.herald.gateway.Durability;
import io.herald.gateway.Gateway;
import io.herald.gateway.Clients;
import io.herald.gateway.History;
import io.herald.gateway.Presence;
import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A uid: push to its stream, see whether it is online and how far it has read, close its clients. */
@ApplicationScoped
@Path("uids/{uid}")
@Produces(MediaType.APPLICATION_JSON)
public class UidsResource {

    @Inject
    Gateway gateway;

    @Inject
    Presence presence;

    @Inject
    Clients clients;

    @Inject
    History history;

    @Inject
    Bodies bodies;

    /**
     * Durable unless the body says {@code "durable": false}: answers 202 with the seq only once the message
     * is committed. An {@code Idempotency-Key} makes a retry return the original id and seq.
     */
    @POST
    @Path("messages")
    public CompletionStage<Response> send(@PathParam("uid") String uid,
                                          @HeaderParam("Idempotency-Key") String idempotencyKey,
                                          InputStream body) {
        return send(uid, idempotencyKey, bodies.object(body));
    }

    public CompletionStage<Response> send(String uid, String idempotencyKey, JsonObject request) {
        JsonValue data = Bodies.data(request);
        if (!Bodies.flag(request, "durable", true)) {
            return CompletableFuture.completedFuture(
                    Accepted.message(gateway.sendToUid(uid, data, Durability.EPHEMERAL).id()));
        }
        return Accepted.stored(gateway.store(List.of(uid), data, idempotencyKey), uid);
    }

    /**
     * Presence and the durable stream's position: last seq, acknowledged seq, unread count. Presence does
     * not need the database: while it cannot be read, the answer has {@code "store":"unavailable"} instead
     * of the stream's fields.
     */
    @GET
    public JsonObject describe(@PathParam("uid") String uid) {
        List<String> clientIds = presence.clientIdsOfUid(uid);
        JsonObjectBuilder described = JsonCodec.object()
                .add("uid", uid)
                .add("online", !clientIds.isEmpty())
                .add("clientIds", JsonCodec.array(clientIds));
        try {
            addStream(described, history.stream(uid));
        } catch (PersistenceException unavailable) {
            described.add("store", "unavailable");
        }
        return described.build();
    }

    /** Stored messages after {@code since}, oldest first, at most {@code limit} (1 to 1000, default 100). */
    @GET
    @Path("messages")
    public JsonObject history(@PathParam("uid") String uid,
                              @QueryParam("since") @DefaultValue("0") String since,
                              @QueryParam("limit") @DefaultValue("100") String limit) {
        long after = Bodies.number("since", since, 0, Long.MAX_VALUE);
        int count = (int) Bodies.number("limit", limit, 1, 1000);
        Stream stream = history.stream(uid);
        JsonArrayBuilder messages = StoredMessages.json(history.history(uid, after, count));
        JsonObjectBuilder history = JsonCodec.object().add("uid", uid);
        addStream(history, stream);
        return history.add("messages", messages).build();
    }

    private static void addStream(JsonObjectBuilder json, Stream stream) {
        if (stream == null) {
            json.addNull("epoch").add("seq", 0).add("acked", 0).add("unread", 0);
        } else {
            json.add("epoch", stream.epoch())
                    .add("seq", stream.lastSeq())
                    .add("acked", stream.ackedSeq())
                    .add("unread", stream.lastSeq() - stream.ackedSeq());
        }
    }

    @DELETE
    @Path("clients")
    public JsonObject closeClients(@PathParam("uid") String uid) {
        return JsonCodec.object().add("closed", clients.closeUid(uid)).build();
    }
}
