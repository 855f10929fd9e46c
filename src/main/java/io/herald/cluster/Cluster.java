package io.herald.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * What Herald needs from a cluster: run work on a node, and know which nodes hold a uid's or a group's
 * clients. A clientId names its node, so a call about one client goes straight to that node; a send to a
 * uid or group goes only to the nodes the index names. {@link LocalCluster} is the single-node default;
 * {@link HazelcastCluster} joins nodes when {@code herald.cluster.enabled=true}.
 */
public interface Cluster {

    String localNode();

    /** Every live node, this one included. */
    Set<String> nodes();

    /** Runs the call on the node and returns its result; throws {@link NodeGone} if there is no such node. */
    <T> T call(String node, NodeCall<?, T> call);

    /** Runs the call on each live node of the given ones and returns the results by node. */
    <T> Map<String, T> callEach(Collection<String> nodes, NodeCall<?, T> call);

    /**
     * Runs the call on each live node of the given ones without waiting for it; on this node at once, on
     * the caller's thread. {@code chars} is the size of what it carries (its frame or messages): it counts
     * against {@code herald.cluster.max-pending-bytes} of each other node until that node has run it, and
     * if that would pass the bound of any of them, nothing is sent anywhere and {@link ClusterBusy} (503
     * cluster_busy) is thrown.
     */
    void tell(Collection<String> nodes, long chars, NodeCall<?, ?> call);

    /** The nodes where the uid has clients. */
    Set<String> nodesOfUid(String uid);

    /**
     * Those of these uids that have clients on some node: one question for many, for the webhooks, which
     * after a node's loss ask it of every uid that was online.
     */
    Set<String> uidsOnline(Collection<String> uids);

    /** The nodes where the group has members. */
    Set<String> nodesOfGroup(String group);

    /** Group names with members anywhere. */
    Set<String> groupNames();

    /** Distinct uids online anywhere. */
    int uidCount();

    /** The uids online anywhere. */
    Set<String> uidNames();

    /** Groups with members anywhere. */
    int groupCount();

    /** Whether this node's cluster engine is running and can serve calls (readiness). */
    boolean running();
}
