package io.herald.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * {@code GET /api/metrics}: this node's metrics in the Prometheus text format. A GET, so it needs an API
 * key with the {@code query} scope, which Prometheus sends as a bearer token.
 */
@ApplicationScoped
@Path("metrics")
public class MetricsResource {

    @Inject
    Metrics metrics;

    @GET
    public Response scrape() {
        StreamingOutput body = metrics::write;
        return Response.ok(body, metrics.contentType()).header("Cache-Control", "no-store").build();
    }
}
