package io.herald.api;

import io.herald.gateway.Presence;
import io.herald.core.JsonCodec;
import io.herald.metrics.Metrics;
import io.herald.webhook.WebhookStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Counts of clients, uids and groups, and what the connections did since the node started: the same
 * counters as the metrics (GET /api/metrics), so that the two never disagree.
 */
@ApplicationScoped
@Path("stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {


    @Inject
    Presence presence;

    @Inject
    Metrics metrics;

    @Inject
    WebhookStats webhooks;

    @GET
    public JsonObject stats() {
        return JsonCodec.object()
                .add("nodes", presence.nodes().size())
                .add("clients", presence.clientCount())
                .add("uids", presence.uidCount())
                .add("groups", presence.groupCount())
                .add("messagesIn", metrics.messagesIn().getLongValue())
                .add("messagesOut", metrics.framesSent().getLongValue())
                .add("sendFailures", metrics.sendFailures().getLongValue())
                .add("slowConsumerCloses", metrics.slowConsumerCloses().getLongValue())
                .add("heartbeatCloses", metrics.heartbeatCloses().getLongValue())
                .add("webhooks", webhooks.json())
                .build();
    }
}
