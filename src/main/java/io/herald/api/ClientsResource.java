package io.herald.api;

import io.herald.gateway.Gateway;
import io.herald.gateway.Clients;
import io.herald.gateway.Presence;
import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;

/** One connection: send to it, inspect it, bind it, its session, close it. */
@ApplicationScoped
@Path("clients/{clientId}")
@Produces(MediaType.APPLICATION_JSON)
public class ClientsResource {

    @Inject
    Gateway gateway;

    @Inject
    Presence presence;

    @Inject
    Clients clients;

    @Inject
    Bodies bodies;

    @POST
    @Path("messages")
    public Response send(@PathParam("clientId") String clientId, InputStream body) {
        return send(clientId, bodies.object(body));
    }

    public Response send(String clientId, JsonObject request) {
        return Accepted.message(gateway.sendToClient(clientId, Bodies.data(request)));
    }

    @GET
    public JsonObject describe(@PathParam("clientId") String clientId) {
        JsonObjectBuilder client = JsonCodec.object().add("clientId", clientId);
        presence.uidOf(clientId).ifPresentOrElse(uid -> client.add("uid", uid), () -> client.addNull("uid"));
        return client
                .add("groups", JsonCodec.array(presence.groupsOf(clientId)))
                .add("session", clients.session(clientId))
                .add("cursor", clients.cursor(clientId))
                .build();
    }

    /** Closes the client; an optional body {@code {"data": …}} is sent as its last message. */
    @DELETE
    public Response close(@PathParam("clientId") String clientId, InputStream body) {
        return close(clientId, bodies.optionalObject(body));
    }

    /** As {@link #close(String, InputStream)}, with the body read already (null for none). */
    public Response close(String clientId, JsonObject request) {
        clients.closeClient(clientId, request == null ? null : request.get("data"));
        return Response.noContent().build();
    }

    @PUT
    @Path("uid")
    public Response bind(@PathParam("clientId") String clientId, InputStream body) {
        return bind(clientId, bodies.object(body));
    }

    public Response bind(String clientId, JsonObject request) {
        clients.bindUid(clientId, Bodies.string(request, "uid"));
        return Response.noContent().build();
    }

    @DELETE
    @Path("uid")
    public Response unbind(@PathParam("clientId") String clientId) {
        clients.unbindUid(clientId);
        return Response.noContent().build();
    }

    @GET
    @Path("session")
    public JsonObject session(@PathParam("clientId") String clientId) {
        return clients.session(clientId);
    }

    @PUT
    @Path("session")
    public Response setSession(@PathParam("clientId") String clientId, InputStream body) {
        return setSession(clientId, bodies.object(body));
    }

    public Response setSession(String clientId, JsonObject session) {
        clients.setSession(clientId, session);
        return Response.noContent().build();
    }

    @PATCH
    @Path("session")
    public Response mergeSession(@PathParam("clientId") String clientId, InputStream body) {
        return mergeSession(clientId, bodies.object(body));
    }

    public Response mergeSession(String clientId, JsonObject changes) {
        clients.mergeSession(clientId, changes);
        return Response.noContent().build();
    }
}
