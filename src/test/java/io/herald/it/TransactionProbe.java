package io.herald.it;

import io.herald.gateway.Durability;
import io.herald.gateway.Gateway;
import io.herald.core.Receipt;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.transaction.UserTransaction;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;

/**
 * Test-only application code deployed beside Herald: sends to a uid (or, with {@code ?group=}, durably to a
 * group) through the CDI API inside a JTA transaction, holds the transaction open for a while, then commits
 * or rolls back.
 */
@ApplicationScoped
@Path("{uid}")
@Produces(MediaType.APPLICATION_JSON)
public class TransactionProbe {

    /** Its own JAX-RS application: Herald's RestApplication names its resources and takes no others. */
    @ApplicationPath("/api/probe/tx")
    public static class Mount extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(TransactionProbe.class);
        }
    }

    @Inject
    Gateway gateway;

    @Resource
    UserTransaction transaction;

    @POST
    public JsonObject send(@PathParam("uid") String uid, @QueryParam("outcome") String outcome,
                           @QueryParam("holdMillis") long holdMillis, @QueryParam("group") String group)
            throws Exception {
        transaction.begin();
        try {
            Receipt receipt = group == null ? gateway.sendToUid(uid, Json.createValue("sent in a transaction"))
                    : gateway.sendToGroup(group, Json.createValue("sent in a transaction"), List.of(), Durability.DURABLE);
            Thread.sleep(holdMillis);
            if ("commit".equals(outcome)) {
                transaction.commit();
            } else {
                transaction.rollback();
            }
            return Json.createObjectBuilder().add("seq", receipt.seq(group == null ? uid : group)).add("outcome", outcome).build();
        } catch (Exception e) {
            if (transaction.getStatus() != jakarta.transaction.Status.STATUS_NO_TRANSACTION) {
                transaction.rollback();
            }
            throw e;
        }
    }
}
