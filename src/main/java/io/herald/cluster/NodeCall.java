package io.herald.cluster;

import java.io.Serializable;

/**
 * Work for one node, run there against that node's local handler: the object given to the cluster when
 * it was made (the gateway's side of a node). The cluster only carries the call; caller and handler agree
 * on the handler's type. A call travels between nodes, so what it captures and returns must be
 * serializable (strings, lists, JSON as text).
 *
 * @param <L> the type of the local handler
 * @param <T> what the call returns
 */
@FunctionalInterface
public interface NodeCall<L, T> extends Serializable {

    T run(L local);

    /** Runs the call against a node's local handler. */
    @SuppressWarnings("unchecked")
    static <T> T runOn(Object local, NodeCall<?, T> call) {
        return ((NodeCall<Object, T>) call).run(local);
    }
}
