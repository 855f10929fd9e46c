package io.herald.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;

/**
 * Test-only code deployed beside Herald: the server's live heap, measured after full collections, so
 * that a test can tell garbage from memory an attack left behind.
 */
@ApplicationScoped
@Path("probe/heap")
@Produces(MediaType.APPLICATION_JSON)
public class HeapProbe {

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
