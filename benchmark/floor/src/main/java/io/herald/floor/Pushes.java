package io.herald.floor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Ephemeral pushes at Herald's paths, the naive way: parse the body with JSON-P, encode the frame once,
 * send it with the container's async send to every session of the addressed uids. No validation beyond
 * what parsing does, no limits, no store, no cluster: the least any push endpoint on this server pays.
 */
@Path("")
@ApplicationScoped
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class Pushes {

    @Inject
    Sockets sockets;

    @POST
    @Path("uids/{uid}/messages")
    public Response toUid(@PathParam("uid") String uid, JsonObject body) {
        String[] frame = sockets.frame(body.get("data").toString());
        sockets.toUid(uid, frame[1]);
        return accepted(frame[0]);
    }

    @POST
    @Path("broadcast")
    public Response broadcast(JsonObject body) {
        String[] frame = sockets.frame(body.get("data").toString());
        sockets.toAll(frame[1]);
        return accepted(frame[0]);
    }

    @POST
    @Path("messages")
    public Response toUids(JsonObject body) {
        String[] frame = sockets.frame(body.get("data").toString());
        for (JsonValue uid : body.getJsonObject("to").getJsonArray("uids")) {
            sockets.toUid(((jakarta.json.JsonString) uid).getString(), frame[1]);
        }
        return accepted(frame[0]);
    }

    @POST
    @Path("messages/batch")
    public Response batch(JsonObject body) {
        JsonArrayBuilder ids = Json.createArrayBuilder();
        for (JsonValue entry : body.getJsonArray("messages")) {
            JsonObject message = entry.asJsonObject();
            String[] frame = sockets.frame(message.get("data").toString());
            sockets.toUid(message.getString("uid"), frame[1]);
            ids.add(Json.createObjectBuilder().add("id", frame[0]));
        }
        return Response.accepted(Json.createObjectBuilder().add("messages", ids).build()).build();
    }

    @GET
    @Path("stats")
    public JsonObject stats() {
        return Json.createObjectBuilder().add("clients", sockets.clients()).add("uids", sockets.uids()).build();
    }

    private static Response accepted(String id) {
        return Response.accepted(Json.createObjectBuilder().add("id", id).build()).build();
    }
}
