package io.herald.api;

import io.herald.gateway.Gateway;
import io.herald.gateway.Clients;
import io.herald.gateway.History;
import io.herald.gateway.Presence;
import io.herald.delivery.Stream;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HeaderParam;
import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Groups: membership, sending to members, listing. */
@ApplicationScoped
@Path("groups")
@Produces(MediaType.APPLICATION_JSON)
public class GroupsResource {

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

    /** Groups with members anywhere, a page at a time: {@code ?limit=} (1 to 1000) after {@code ?after=}. */
    @GET
    public JsonObject names(@QueryParam("after") String after,
                            @QueryParam("limit") @DefaultValue("1000") String limit) {
        return NamePage.of("groups", presence.groupNames(), after, limit);
    }

    @GET
    @Path("{group}")
    public JsonObject describe(@PathParam("group") String group) {
        List<String> clientIds = presence.clientIdsOfGroup(group);
        Set<String> uids = presence.uidsOfGroup(group);
        return JsonCodec.object()
                .add("group", group)
                .add("clientIds", JsonCodec.array(clientIds))
                .add("uids", JsonCodec.array(uids))
                .add("clientCount", clientIds.size())
                .add("uidCount", uids.size())
                .build();
    }

    @DELETE
    @Path("{group}")
    public Response dissolve(@PathParam("group") String group) {
        clients.ungroup(group);
        return Response.noContent().build();
    }

    @PUT
    @Path("{group}/clients/{clientId}")
    public Response join(@PathParam("group") String group, @PathParam("clientId") String clientId) {
        clients.joinGroup(clientId, group);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{group}/clients/{clientId}")
    public Response leave(@PathParam("group") String group, @PathParam("clientId") String clientId) {
        clients.leaveGroup(clientId, group);
        return Response.noContent().build();
    }

    /**
     * Ephemeral unless the body says {@code "durable": true}: then stored once in the group's stream and
     * answered 202 with its seq only once committed; an {@code Idempotency-Key} makes a retry return the
     * original id and seq.
     */
    @POST
    @Path("{group}/messages")
    public CompletionStage<Response> send(@PathParam("group") String group,
                                          @HeaderParam("Idempotency-Key") String idempotencyKey,
                                          InputStream body) {
        return send(group, idempotencyKey, bodies.object(body));
    }

    public CompletionStage<Response> send(String group, String idempotencyKey, JsonObject request) {
        JsonValue data = Bodies.data(request);
        List<String> exclude = Bodies.strings(request, "exclude");
        if (!Bodies.flag(request, "durable", false)) {
            return CompletableFuture.completedFuture(Accepted.message(gateway.sendToGroup(group, data, exclude)));
        }
        return Accepted.stored(gateway.storeToGroup(group, data, exclude, idempotencyKey), group);
    }

    /**
     * The group's stored messages after {@code since}, oldest first, at most {@code limit} (1 to 1000,
     * default 100), with the stream's epoch and last seq ({@code null} and 0 for a group that never had a
     * durable message).
     */
    @GET
    @Path("{group}/messages")
    public JsonObject history(@PathParam("group") String group,
                              @QueryParam("since") @DefaultValue("0") String since,
                              @QueryParam("limit") @DefaultValue("100") String limit) {
        long after = Bodies.number("since", since, 0, Long.MAX_VALUE);
        int count = (int) Bodies.number("limit", limit, 1, 1000);
        Stream stream = history.groupStream(group);
        JsonObjectBuilder page = JsonCodec.object().add("group", group);
        if (stream == null) {
            page.addNull("epoch").add("seq", 0);
        } else {
            page.add("epoch", stream.epoch()).add("seq", stream.lastSeq());
        }
        return page.add("messages", StoredMessages.json(history.groupHistory(group, after, count))).build();
    }
}
