package io.herald.api;

import io.herald.connection.Drain;
import io.herald.core.HeraldException;
import io.herald.core.JsonCodec;
import io.herald.routing.Ids;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The node that answers the call (not the cluster): its id, whether it drains, its clients; and the drain
 * an operator starts before taking the node out of service (README, "Graceful drain").
 */
@ApplicationScoped
@Path("node")
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {

    @Inject
    Ids ids;

    @Inject
    Registry registry;

    @Inject
    Drain drain;

    @GET
    public JsonObject describe() {
        return JsonCodec.object()
                .add("nodeId", ids.node())
                .add("draining", drain.active())
                .add("clients", registry.clientCount())
                .build();
    }

    /** Starts draining: 202, as the clients are closed over the next seconds. */
    @POST
    @Path("drain")
    public Response start() {
        drain.start();
        return Response.accepted(describe()).build();
    }

    /** Accepts clients again. */
    @DELETE
    @Path("drain")
    public JsonObject cancel() {
        if (!drain.cancel()) {
            throw new HeraldException(409, "node_stopping", "the node is stopping; its drain cannot be undone");
        }
        return describe();
    }
}
