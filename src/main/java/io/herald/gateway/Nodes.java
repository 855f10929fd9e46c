package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.cluster.NodeGone;
import io.herald.core.HeraldException;
import io.herald.core.Names;
import io.herald.routing.Ids;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Calls to nodes' {@link LocalGateway}s through the cluster, typed for it. */
final class Nodes {

    private Nodes() {
    }

    /** Runs the call on the node that holds the client; client_not_found if that node is gone. */
    static <T> T onClientsNode(Cluster cluster, String clientId, GatewayCall<T> call) {
        try {
            return call(cluster, Ids.nodeOf(Names.clientId(clientId)), call);
        } catch (NodeGone gone) {
            throw HeraldException.clientNotFound(clientId);
        }
    }

    static <T> T call(Cluster cluster, String node, GatewayCall<T> call) {
        return cluster.call(node, call);
    }

    static <T> Map<String, T> callEach(Cluster cluster, Collection<String> nodes, GatewayCall<T> call) {
        return cluster.callEach(nodes, call);
    }

    /** The lists that several nodes answered, as one. */
    static List<String> gather(Map<String, ? extends Collection<String>> byNode) {
        List<String> all = new ArrayList<>();
        byNode.values().forEach(all::addAll);
        return all;
    }
}
