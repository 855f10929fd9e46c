package io.herald.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node has sent to each other node and that node has not run yet, in characters: frames and
 * messages waiting in the cluster engine's buffers on either side, or in the other node's executor queue.
 * Bounded per node, so that a node that is slow or stuck (a long GC, a full network) costs the others a
 * bounded amount of memory, not all of it: a call that would pass the bound is not sent.
 */
final class Backlog {

    private final long maxChars;
    private final Map<String, Long> byNode = new ConcurrentHashMap<>();

    Backlog(long maxChars) {
        this.maxChars = maxChars;
    }

    /**
     * Charges {@code chars} to each of the nodes, to all of them or to none; returns null if charged, else
     * the first node that it would have taken past the bound. A call alone is always let through to a node
     * that has nothing waiting, however large: else a call larger than the bound would never go anywhere.
     */
    String charge(Collection<String> nodes, long chars) {
        List<String> charged = new ArrayList<>(nodes.size());
        for (String node : nodes) {
            boolean[] fits = new boolean[1];
            byNode.compute(node, (key, waiting) -> {
                long before = waiting == null ? 0 : waiting;
                fits[0] = before == 0 || before + chars <= maxChars;
                return fits[0] ? Long.valueOf(before + chars) : waiting;
            });
            if (!fits[0]) {
                charged.forEach(done -> release(done, chars));
                return node;
            }
            charged.add(node);
        }
        return null;
    }

    /** The node has run a call (or it failed, or never left): its characters no longer wait. */
    void release(String node, long chars) {
        byNode.computeIfPresent(node, (key, waiting) -> waiting - chars <= 0 ? null : waiting - chars);
    }

    /** Characters waiting for the node. */
    long waiting(String node) {
        return byNode.getOrDefault(node, 0L);
    }
}
