package io.herald.it;

import io.herald.cluster.NodeLeft;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/**
 * Test-only application code deployed beside Herald: plays another cluster node that takes the webhook
 * events of a uid to send (its lease on their outbox rows) and then dies, as the cluster would announce it.
 */
@ApplicationScoped
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class LeaseProbe {

    /** Its own JAX-RS application: Herald's RestApplication names its resources and takes no others. */
    @ApplicationPath("/api/probe/leases")
    public static class Mount extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(LeaseProbe.class);
        }
    }

    @PersistenceContext(unitName = "herald")
    EntityManager em;

    @Inject
    Event<NodeLeft> nodeLeft;

    /** Leases every pending event of the uid to {@code owner} for {@code millis}; answers how many. */
    @POST
    @Path("take/{uid}")
    @Transactional
    public JsonObject take(@PathParam("uid") String uid, @QueryParam("owner") String owner, @QueryParam("millis") long millis) {
        int taken = em.createNativeQuery("UPDATE herald_webhook_event SET lease_owner = ?1, lease_until = ?2"
                        + " WHERE uid = ?3 AND status = 0")
                .setParameter(1, owner)
                .setParameter(2, System.currentTimeMillis() + millis)
                .setParameter(3, uid)
                .executeUpdate();
        return Json.createObjectBuilder().add("taken", taken).build();
    }

    /** The node left the cluster: what the cluster tells the oldest member. */
    @POST
    @Path("left/{owner}")
    public JsonObject left(@PathParam("owner") String owner) {
        nodeLeft.fire(new NodeLeft(owner));
        return Json.createObjectBuilder().add("left", owner).build();
    }
}
