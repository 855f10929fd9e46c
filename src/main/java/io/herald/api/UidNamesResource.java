package io.herald.api;

import io.herald.gateway.Presence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Who is online: the uids with clients anywhere, a page at a time (a uid itself: {@link UidsResource}). */
@ApplicationScoped
@Path("uids")
@Produces(MediaType.APPLICATION_JSON)
public class UidNamesResource {

    @Inject
    Presence presence;

    /** {@code ?limit=} (1 to 1000) uids after {@code ?after=}, in code point order. */
    @GET
    public JsonObject names(@QueryParam("after") String after,
                            @QueryParam("limit") @DefaultValue("1000") String limit) {
        return NamePage.of("uids", presence.uidNames(), after, limit);
    }
}
