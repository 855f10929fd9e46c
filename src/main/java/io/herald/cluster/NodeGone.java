package io.herald.cluster;

/** The node a call was addressed to is not (or no longer) part of the cluster. */
public class NodeGone extends RuntimeException {

    public NodeGone(String node) {
        super("node " + node + " is not in the cluster");
    }
}
