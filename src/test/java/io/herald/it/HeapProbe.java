package io.herald.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;
import java.lang.management.ManagementFactory;

/**
 * Test-only code deployed beside Herald: the server's live heap, measured after full collections, so
 * that a test can tell garbage from memory an attack left behind.
 */
@ApplicationScoped
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class HeapProbe {

    /** Its own JAX-RS application: Herald's RestApplication names its resources and takes no others. */
    @ApplicationPath("/api/probe/heap")
    public static class Mount extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(HeapProbe.class);
        }
    }

    @GET
    public JsonObject liveHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return Json.createObjectBuilder().add("used", used).build();
    }
}
