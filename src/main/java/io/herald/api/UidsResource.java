package io.herald.api;

import io.herald.gateway.Gateway;
import io.herald.gateway.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;

/** A uid: send to all its clients, see whether it is online, close its clients. */
@ApplicationScoped
@Path("uids/{uid}")
@Produces(MediaType.APPLICATION_JSON)
public class UidsResource {

    @Inject
    Gateway gateway;

    @Inject
    Bodies bodies;

    @POST
    @Path("messages")
    public Response send(@PathParam("uid") String uid, InputStream body) {
        return Accepted.message(gateway.sendToUid(uid, Bodies.data(bodies.object(body))));
    }

    @GET
    public JsonObject describe(@PathParam("uid") String uid) {
        List<String> clientIds = gateway.clientIdsOfUid(uid);
        return JsonCodec.object()
                .add("uid", uid)
                .add("online", !clientIds.isEmpty())
                .add("clientIds", JsonCodec.array(clientIds))
                .build();
    }

    @DELETE
    @Path("clients")
    public JsonObject closeClients(@PathParam("uid") String uid) {
        return JsonCodec.object().add("closed", gateway.closeUid(uid)).build();
    }
}
