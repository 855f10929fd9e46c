package io.herald.cluster;

import io.herald.routing.Registry;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** One node on its own: every call runs here, and the indexes are this node's registry. */
public class LocalCluster implements Cluster {

    private final String node;
    private final Object local;
    private final Registry registry;

    public LocalCluster(String node, Object local, Registry registry) {
        this.node = node;
        this.local = local;
        this.registry = registry;
    }

    @Override
    public String localNode() {
        return node;
    }

    @Override
    public Set<String> nodes() {
        return Set.of(node);
    }

    @Override
    public <T> T call(String target, NodeCall<?, T> call) {
        if (!node.equals(target)) {
            throw new NodeGone(target);
        }
        return NodeCall.runOn(local, call);
    }

    @Override
    public <T> Map<String, T> callEach(Collection<String> targets, NodeCall<?, T> call) {
        if (!targets.contains(node)) {
            return Map.of();
        }
        T result = NodeCall.runOn(local, call);
        return result == null ? Map.of() : Map.of(node, result);
    }

    @Override
    public void tell(Collection<String> targets, long chars, NodeCall<?, ?> call) {
        if (targets.contains(node)) {
            NodeCall.runOn(local, call);
        }
    }

    @Override
    public Set<String> nodesOfUid(String uid) {
        return registry.uidOnline(uid) ? Set.of(node) : Set.of();
    }

    @Override
    public Set<String> uidsOnline(Collection<String> uids) {
        Set<String> online = new HashSet<>();
        for (String uid : uids) {
            if (registry.uidOnline(uid)) {
                online.add(uid);
            }
        }
        return online;
    }

    @Override
    public Set<String> nodesOfGroup(String group) {
        return registry.hasGroup(group) ? Set.of(node) : Set.of();
    }

    @Override
    public Set<String> groupNames() {
        return new HashSet<>(registry.groupNames());
    }

    @Override
    public Set<String> uidNames() {
        return new HashSet<>(registry.uidNames());
    }

    @Override
    public int uidCount() {
        return registry.uidCount();
    }

    @Override
    public int groupCount() {
        return registry.groupCount();
    }

    @Override
    public boolean running() {
        return true;
    }
}
