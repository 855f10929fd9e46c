package io.herald.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.multimap.MultiMap;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.herald.core.HeraldException;
import io.herald.routing.Registry;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Herald nodes joined by an embedded Hazelcast member. Each member carries its Herald node id as an
 * attribute; calls travel through a Hazelcast executor to the member of the target node; two multimaps
 * index which nodes hold each uid and group (kept by each node for its own clients, cleaned by the oldest
 * member when a node dies). Hazelcast detects a dead member itself within
 * {@code herald.cluster.failure-timeout-seconds}.
 *
 * <p>Calls that do not wait for an answer ({@link #tell}: sends, relays, committed messages) are bounded per
 * target node in characters ({@link Backlog}); calls that wait are bounded by their callers, each waiting
 * at most {@code herald.cluster.call-timeout-seconds}.
 */
public class HazelcastCluster implements Cluster, MembershipListener {

    private static final Logger LOG = Logger.getLogger(HazelcastCluster.class.getName());
    private static final String NODE_ATTRIBUTE = "herald.node";
    private static final String LOCAL_HANDLER = "herald.local-handler";

    private final String node;
    private final Object local;
    private final HazelcastInstance hazelcast;
    private final MultiMap<String, String> uidNodes;
    private final MultiMap<String, String> groupNodes;
    private final IExecutorService calls;
    private final long callTimeoutMillis;
    private final Backlog backlog;
    private final Consumer<NodeLeft> nodeLeft;

    /** @param nodeLeft told on the oldest member, after the presence entries of a node that left are removed */
    public HazelcastCluster(ClusterSettings settings, String node, Object local, Registry registry,
                            Consumer<NodeLeft> nodeLeft) {
        this.node = node;
        this.nodeLeft = nodeLeft;
        this.local = local;
        this.callTimeoutMillis = TimeUnit.SECONDS.toMillis(settings.callTimeoutSeconds());
        this.backlog = new Backlog(settings.maxPendingBytes());
        this.hazelcast = Hazelcast.newHazelcastInstance(hazelcastConfig(settings, node, local));
        this.uidNodes = hazelcast.getMultiMap("herald.uid-nodes");
        this.groupNodes = hazelcast.getMultiMap("herald.group-nodes");
        this.calls = hazelcast.getExecutorService("herald.calls");
        hazelcast.getCluster().addMembershipListener(this);
        registry.track((uid, present) -> index(uidNodes, uid, present),
                (group, present) -> index(groupNodes, group, present));
        LOG.info(() -> "Herald node " + node + " joined cluster '" + settings.name() + "' with "
                + hazelcast.getCluster().getMembers().size() + " member(s)");
    }

    private static Config hazelcastConfig(ClusterSettings settings, String node, Object local) {
        Config config = new Config();
        config.setClusterName(settings.name());
        config.setInstanceName("herald-" + node);
        // Tasks and lambdas from other nodes are classes of this WAR.
        config.setClassLoader(HazelcastCluster.class.getClassLoader());
        config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, node);
        config.getUserContext().put(LOCAL_HANDLER, local);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(settings.failureTimeoutSeconds()));
        config.setProperty("hazelcast.shutdownhook.enabled", "false");

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface(settings.networkInterface());
        network.getRestApiConfig().setEnabled(false);
        JoinConfig join = network.getJoin();
        join.getAutoDetectionConfig().setEnabled(false);
        join.getMulticastConfig().setEnabled(settings.multicast());
        if (!settings.members().isEmpty()) {
            join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
        }
        // DNS lookup of a headless service: needs no access to the Kubernetes API.
        settings.kubernetesServiceDns().ifPresent(service ->
                join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", service));
        return config;
    }

    public void shutdown() {
        hazelcast.shutdown();
    }

    @Override
    public boolean running() {
        return hazelcast.getLifecycleService().isRunning();
    }

    @Override
    public String localNode() {
        return node;
    }

    @Override
    public Set<String> nodes() {
        Set<String> nodes = new HashSet<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String id = member.getAttribute(NODE_ATTRIBUTE);
            if (id != null) {
                nodes.add(id);
            }
        }
        return nodes;
    }

    @Override
    public <T> T call(String target, NodeCall<?, T> call) {
        if (node.equals(target)) {
            return NodeCall.runOn(local, call);
        }
        return await(target, calls.submitToMember(new RemoteCall<>(call), member(target)));
    }

    @Override
    public <T> Map<String, T> callEach(Collection<String> targets, NodeCall<?, T> call) {
        Map<String, Future<T>> pending = new HashMap<>();
        for (String target : targets) {
            Member member = memberOrNull(target);
            if (member != null && !member.localMember()) {
                pending.put(target, calls.submitToMember(new RemoteCall<>(call), member));
            }
        }
        Map<String, T> results = new HashMap<>();
        if (targets.contains(node)) {
            results.put(node, NodeCall.runOn(local, call));
        }
        pending.forEach((target, future) -> {
            try {
                results.put(target, await(target, future));
            } catch (NodeGone gone) {
                // It left while we asked: it holds no clients any more.
            }
        });
        return results;
    }

    @Override
    public void tell(Collection<String> targets, long chars, NodeCall<?, ?> call) {
        Map<String, Member> remote = new LinkedHashMap<>();
        for (String target : targets) {
            Member member = node.equals(target) ? null : memberOrNull(target);
            if (member != null) {
                remote.put(target, member);
            }
        }
        String full = remote.isEmpty() ? null : backlog.charge(remote.keySet(), chars);
        if (full != null) {
            throw new ClusterBusy(full, backlog.waiting(full));
        }
        remote.forEach((target, member) -> send(target, member, chars, call));
        if (targets.contains(node)) {
            NodeCall.runOn(local, call); // here, synchronously: local deliveries keep the caller's order
        }
    }

    /** Sends a call that nobody waits for; its characters wait in the backlog until the node has run it. */
    private <T> void send(String target, Member member, long chars, NodeCall<?, T> call) {
        try {
            calls.submitToMember(new RemoteCall<>(call), member, new ExecutionCallback<T>() {
                @Override
                public void onResponse(T response) {
                    backlog.release(target, chars);
                }

                @Override
                public void onFailure(Throwable failure) {
                    backlog.release(target, chars);
                    LOG.log(Level.FINE, "a call to node " + target + " failed", failure);
                }
            });
        } catch (RuntimeException e) {
            // Not sent: the member left meanwhile, or this one is shutting down. As if it had left first.
            backlog.release(target, chars);
            LOG.log(Level.FINE, "a call to node " + target + " could not be sent", e);
        }
    }

    @Override
    public Set<String> nodesOfUid(String uid) {
        return live(uidNodes.get(uid));
    }

    /** Up to this many uids are asked one by one; more are looked up in one pass over the index. */
    private static final int ASKED_ONE_BY_ONE = 16;

    @Override
    public Set<String> uidsOnline(Collection<String> uids) {
        Set<String> online = new HashSet<>();
        if (uids.size() <= ASKED_ONE_BY_ONE) {
            for (String uid : uids) {
                if (!nodesOfUid(uid).isEmpty()) {
                    online.add(uid);
                }
            }
            return online;
        }
        // One cluster operation for all, where a question per uid costs a round trip each (seconds for the
        // thousands of uids a node's loss leaves to check).
        Set<String> asked = new HashSet<>(uids);
        Set<String> members = nodes();
        for (Map.Entry<String, String> entry : uidNodes.entrySet()) {
            if (asked.contains(entry.getKey()) && members.contains(entry.getValue())) {
                online.add(entry.getKey());
            }
        }
        return online;
    }

    @Override
    public Set<String> nodesOfGroup(String group) {
        return live(groupNodes.get(group));
    }

    @Override
    public Set<String> groupNames() {
        return liveKeys(groupNodes);
    }

    @Override
    public Set<String> uidNames() {
        return liveKeys(uidNodes);
    }

    @Override
    public int uidCount() {
        return liveKeys(uidNodes).size();
    }

    @Override
    public int groupCount() {
        return liveKeys(groupNodes).size();
    }

    /**
     * The keys with an entry of a node that is a member. A dead node's entries stay until the oldest survivor
     * has removed them, one cluster call each (in NodeLossIT, listings named its uids 7 to 14 s after the
     * kill, where a uid's presence dropped it in 2 to 3 s); left out here as live() leaves them out.
     */
    private Set<String> liveKeys(MultiMap<String, String> index) {
        Set<String> members = nodes();
        Set<String> keys = new HashSet<>();
        for (Map.Entry<String, String> entry : index.entrySet()) {
            if (members.contains(entry.getValue())) {
                keys.add(entry.getKey());
            }
        }
        return keys;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        LOG.info(() -> "Herald node " + event.getMember().getAttribute(NODE_ATTRIBUTE) + " joined the cluster");
    }

    /**
     * A node died or left: its clients went with it, so the oldest member tells Herald (the webhooks report its
     * uids offline) and drops it from the indexes. On the cluster engine's event thread: whatever this throws
     * is logged here, once, and never left to that thread.
     */
    @Override
    public void memberRemoved(MembershipEvent event) {
        String gone = event.getMember().getAttribute(NODE_ATTRIBUTE);
        LOG.warning(() -> "Herald node " + gone + " left the cluster; its clients are offline until they reconnect");
        try {
            Member oldest = hazelcast.getCluster().getMembers().iterator().next();
            if (gone != null && oldest.localMember()) {
                // Told first: presence reads already leave the dead node out (live()), so whoever checks which
                // uids went offline with it need not wait for the cleanup below, which costs one cluster call
                // per entry (seconds when the node had thousands of clients).
                nodeLeft.accept(new NodeLeft(gone));
                int removed = forget(uidNodes, gone) + forget(groupNodes, gone);
                LOG.info(() -> "removed " + removed + " presence entries of node " + gone);
            }
        } catch (Throwable e) {
            // This member stopping too is expected; anything else leaves stale entries, which readers filter
            // out anyway (live() keeps the nodes that are members).
            LOG.log(running() ? Level.WARNING : Level.FINE, "could not remove the presence entries of node "
                    + gone + " from the cluster's indexes", e);
        }
    }

    private static int forget(MultiMap<String, String> index, String gone) {
        int removed = 0;
        for (Map.Entry<String, String> entry : index.entrySet()) {
            if (gone.equals(entry.getValue()) && index.remove(entry.getKey(), gone)) {
                removed++;
            }
        }
        return removed;
    }

    private void index(MultiMap<String, String> index, String key, boolean present) {
        if (present) {
            index.put(key, node);
        } else {
            index.remove(key, node);
        }
    }

    private Set<String> live(Collection<String> nodes) {
        if (nodes.isEmpty()) {
            return Set.of();
        }
        Set<String> live = new HashSet<>(nodes);
        live.retainAll(nodes());
        return live;
    }

    private Member member(String target) {
        Member member = memberOrNull(target);
        if (member == null) {
            throw new NodeGone(target);
        }
        return member;
    }

    private Member memberOrNull(String target) {
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (target.equals(member.getAttribute(NODE_ATTRIBUTE))) {
                return member;
            }
        }
        return null;
    }

    private <T> T await(String target, Future<T> future) {
        try {
            return future.get(callTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (e instanceof MemberLeftException || cause instanceof MemberLeftException
                    || cause instanceof TargetNotMemberException) {
                throw new NodeGone(target);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime; // a HeraldException from the other node keeps its status and code
            }
            throw new IllegalStateException("a call to node " + target + " failed", cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new HeraldException(504, "node_timeout", "node " + target + " did not answer within "
                    + callTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling node " + target, e);
        } catch (TargetNotMemberException e) {
            throw new NodeGone(target);
        }
    }

    /** A node call on its way to another member; runs there against that member's local handler. */
    private static final class RemoteCall<T> implements Callable<T>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;

        private final NodeCall<?, T> call;
        private transient HazelcastInstance hazelcast;

        RemoteCall(NodeCall<?, T> call) {
            this.call = call;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcast) {
            this.hazelcast = hazelcast;
        }

        @Override
        public T call() {
            try {
                return NodeCall.runOn(hazelcast.getUserContext().get(LOCAL_HANDLER), call);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "a node call failed here", e);
                throw e;
            }
        }
    }
}
