package io.herald.cluster;

/**
 * A node died or left the cluster, and this node is the one that cleans up after it (the oldest member):
 * the dead node's clients are gone, and no one else will report them gone. A CDI event.
 */
public record NodeLeft(String node) {
}
