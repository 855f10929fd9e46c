package io.herald.api;

import io.herald.gateway.Gateway;
import io.herald.gateway.HeraldException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;

/** Sends to everyone, and to lists of clients, uids and groups at once. */
@ApplicationScoped
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    @Inject
    Gateway gateway;

    @Inject
    Bodies bodies;

    @POST
    @Path("broadcast")
    public Response broadcast(InputStream body) {
        JsonObject request = bodies.object(body);
        return Accepted.message(gateway.sendToAll(Bodies.data(request), Bodies.strings(request, "exclude")));
    }

    /** {@code {"to": {"clients": [], "uids": [], "groups": []}, "data": …, "exclude": []}} */
    @POST
    @Path("messages")
    public Response send(InputStream body) {
        JsonObject request = bodies.object(body);
        JsonValue to = request.get("to");
        if (to == null || to.getValueType() != JsonValue.ValueType.OBJECT) {
            throw HeraldException.badRequest("bad_request",
                    "\"to\" is required: {\"clients\": [], \"uids\": [], \"groups\": []}");
        }
        JsonObject recipients = to.asJsonObject();
        return Accepted.message(gateway.send(
                Bodies.strings(recipients, "clients"),
                Bodies.strings(recipients, "uids"),
                Bodies.strings(recipients, "groups"),
                Bodies.data(request),
                Bodies.strings(request, "exclude")));
    }
}
