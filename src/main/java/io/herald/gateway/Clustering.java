package io.herald.gateway;

import io.herald.cluster.ClusterSettings;
import io.herald.routing.Ids;
import io.herald.routing.Registry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import io.herald.cluster.HazelcastCluster;
import io.herald.cluster.LocalCluster;
import io.herald.cluster.NodeLeft;
import io.herald.cluster.Cluster;

/** Chooses the cluster: this node alone unless {@code herald.cluster.enabled=true}. */
@ApplicationScoped
public class Clustering {

    @Inject
    ClusterSettings settings;

    @Inject
    Ids ids;

    @Inject
    LocalGateway local;

    @Inject
    Registry registry;

    @Inject
    Event<NodeLeft> nodeLeft;

    @Produces
    @ApplicationScoped
    Cluster cluster() {
        if (settings.enabled()) {
            return new HazelcastCluster(settings, ids.node(), local, registry, nodeLeft::fire);
        }
        return new LocalCluster(ids.node(), local, registry);
    }

    void leave(@Disposes Cluster cluster) {
        if (cluster instanceof HazelcastCluster hazelcast) {
            hazelcast.shutdown();
        }
    }

    /** Joins at start, before the first client connects, so that every client is indexed. */
    void join(@Observes @Priority(2) @Initialized(ApplicationScoped.class) Object started, Cluster cluster) {
        cluster.localNode();
    }
}
