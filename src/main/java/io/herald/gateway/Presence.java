package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.cluster.NodeGone;
import io.herald.core.Names;
import io.herald.routing.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who is online, cluster-wide: the clients of a uid or a group, a client's uid and groups, the names online,
 * and the counts. Each question goes to the nodes that hold the answer (a clientId names its node; the
 * cluster's index names the nodes of a uid or group) and gathers what they say.
 */
@ApplicationScoped
public class Presence {

    @Inject
    Cluster cluster;

    public boolean isUidOnline(String uid) {
        return !cluster.nodesOfUid(Names.uid(uid)).isEmpty();
    }

    public List<String> clientIdsOfUid(String uid) {
        Names.uid(uid);
        return Nodes.gather(Nodes.callEach(cluster, cluster.nodesOfUid(uid), node -> node.clientIdsOfUid(uid)));
    }

    public Optional<String> uidOf(String clientId) {
        String uid = Nodes.onClientsNode(cluster, clientId, node -> node.uidOf(clientId));
        return uid.isEmpty() ? Optional.empty() : Optional.of(uid);
    }

    public List<String> clientIdsOfGroup(String group) {
        Names.group(group);
        return Nodes.gather(Nodes.callEach(cluster, cluster.nodesOfGroup(group), node -> node.clientIdsOfGroup(group)));
    }

    public Set<String> uidsOfGroup(String group) {
        Names.group(group);
        Set<String> uids = new HashSet<>();
        Nodes.callEach(cluster, cluster.nodesOfGroup(group), node -> node.uidsOfGroup(group)).values().forEach(uids::addAll);
        return uids;
    }

    public Set<String> groupsOf(String clientId) {
        return Set.copyOf(Nodes.onClientsNode(cluster, clientId, node -> node.groupsOf(clientId)));
    }

    public List<String> groupNames() {
        return new ArrayList<>(cluster.groupNames());
    }

    /** The uids online anywhere. */
    public List<String> uidNames() {
        return new ArrayList<>(cluster.uidNames());
    }

    public boolean isOnline(String clientId) {
        try {
            return Nodes.call(cluster, Ids.nodeOf(Names.clientId(clientId)), node -> node.isOnline(clientId));
        } catch (NodeGone gone) {
            return false;
        }
    }

    /** The ids of the live nodes, this one included. */
    public Set<String> nodes() {
        return cluster.nodes();
    }

    public int clientCount() {
        return Nodes.callEach(cluster, cluster.nodes(), LocalGateway::clientCount).values().stream()
                .mapToInt(Integer::intValue).sum();
    }

    public int uidCount() {
        return cluster.uidCount();
    }

    public int groupCount() {
        return cluster.groupCount();
    }
}
