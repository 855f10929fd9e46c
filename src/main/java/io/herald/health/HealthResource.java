package io.herald.health;

import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * {@code GET /api/health/live} and {@code /api/health/ready}, without an API key (ApiKeyFilter lets exactly
 * these two through): 200 when UP, 503 when DOWN, in the MicroProfile Health format
 * {@code {"status":"UP","checks":[{"name":…,"status":…}]}}. Herald serves them itself because
 * MicroProfile Health is not in WildFly's default profile, and Payara serves its own at the server root.
 */
@ApplicationScoped
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    @Inject
    Health health;

    @GET
    @Path("live")
    public Response live() {
        return answer(health.run(health.liveness()));
    }

    @GET
    @Path("ready")
    public Response ready() {
        return answer(health.ready());
    }

    private static Response answer(Map<String, Boolean> states) {
        return Response.status(up(states) ? 200 : 503)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .entity(body(states))
                .build();
    }

    static boolean up(Map<String, Boolean> states) {
        return !states.containsValue(false);
    }

    /** {@code {"status":"UP"|"DOWN","checks":[{"name":…,"status":…},…]}}: DOWN if any check is. */
    static JsonObject body(Map<String, Boolean> states) {
        JsonArrayBuilder checks = JsonCodec.array();
        states.forEach((name, state) -> checks.add(JsonCodec.object().add("name", name).add("status", status(state))));
        return JsonCodec.object().add("status", status(up(states))).add("checks", checks).build();
    }

    private static String status(boolean up) {
        return up ? "UP" : "DOWN";
    }
}
