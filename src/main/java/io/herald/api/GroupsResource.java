package io.herald.api;

import io.herald.gateway.Gateway;
import io.herald.gateway.Clients;
import io.herald.gateway.Presence;
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

    @POST
    @Path("{group}/messages")
    public Response send(@PathParam("group") String group, InputStream body) {
        return send(group, bodies.object(body));
    }

    public Response send(String group, JsonObject request) {
        return Accepted.message(gateway.sendToGroup(group, Bodies.data(request), Bodies.strings(request, "exclude")));
    }
}
