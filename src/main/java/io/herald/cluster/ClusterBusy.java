package io.herald.cluster;

import io.herald.core.HeraldException;

/**
 * A call not sent to another node because too much of what this node sent it earlier is still waiting
 * there ({@code herald.cluster.max-pending-bytes}): 503 cluster_busy; nothing was sent anywhere.
 */
public class ClusterBusy extends HeraldException {

    public ClusterBusy(String node, long waitingChars) {
        super(503, "cluster_busy", "node " + node + " has not yet taken " + waitingChars
                + " characters of messages sent to it (herald.cluster.max-pending-bytes); nothing was sent; retry");
    }
}
