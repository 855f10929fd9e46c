package io.herald.gateway;

import io.herald.background.FailureLog;
import io.herald.cluster.Cluster;
import io.herald.cluster.ClusterBusy;
import io.herald.core.Receipt;
import io.herald.delivery.Append;
import io.herald.delivery.Committed;
import io.herald.delivery.StreamKey;
import io.herald.routing.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last step of every push: a frame encoded once, handed to each node that holds recipients (this one
 * included, synchronously, so that one caller's sends keep their order), where {@link LocalGateway} queues
 * it on the clients' connections. Durable messages come here once committed, from the journal or, for a
 * push stored in a caller's transaction, once that transaction has committed.
 */
@ApplicationScoped
public class FanOut {

    private static final Logger LOG = Logger.getLogger(FanOut.class.getName());

    private final FailureLog publishRefusals = new FailureLog(LOG, Level.WARNING,
            "handing committed durable messages to other nodes");

    @Inject
    Cluster cluster;

    @Inject
    LocalGateway local;

    /** To every client on every node but the excluded ones; cluster_busy (503) if a node cannot take it. */
    void toAll(String frame, Set<String> exclude) {
        cluster.tell(cluster.nodes(), frame.length(), (GatewayCall<Integer>) node ->
                node.deliver(frame, List.of(), List.of(), List.of(), true, exclude));
    }

    /**
     * To the union of the named clients, the uids' clients and the groups' members, less the excluded;
     * cluster_busy (503) if a node it must reach has too much waiting from this one.
     */
    void to(String frame, List<String> clientIds, List<String> uids, List<String> groups, Set<String> exclude) {
        Set<String> nodes = new HashSet<>();
        clientIds.forEach(clientId -> nodes.add(Ids.nodeOf(clientId)));
        uids.forEach(uid -> nodes.addAll(cluster.nodesOfUid(uid)));
        groups.forEach(group -> nodes.addAll(cluster.nodesOfGroup(group)));
        // The call travels to other nodes: it captures only strings and immutable collections.
        cluster.tell(nodes, frame.length(),
                (GatewayCall<Integer>) node -> node.deliver(frame, clientIds, uids, groups, false, exclude));
    }

    /**
     * Committed durable messages, in commit order, to the nodes that hold clients of their uids or members
     * of their groups. A node
     * that gets batches out of order, or misses one, catches up from the store, so order and completeness do
     * not depend on the cluster's messaging.
     */
    void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) Committed committed) {
        Set<String> nodes = new HashSet<>();
        for (Append append : committed.appends()) {
            for (String stream : append.streams()) {
                nodes.addAll(StreamKey.isGroup(stream) ? cluster.nodesOfGroup(StreamKey.name(stream))
                        : cluster.nodesOfUid(stream));
            }
        }
        if (nodes.isEmpty()) {
            return;
        }
        List<Append> appends = committed.appends();
        List<Receipt> receipts = committed.receipts();
        long chars = 0;
        for (Append append : appends) {
            chars += append.chars();
        }
        try {
            cluster.tell(nodes, chars, (GatewayCall<Boolean>) node -> node.committed(appends, receipts));
        } catch (ClusterBusy busy) {
            // A node with too much waiting from this one: its clients get these from the store, at their next
            // catch-up (the next message shows them the gap) or when they resume. This node's go live anyway.
            publishRefusals.failed(busy, "this node's own clients get them live; the other nodes' clients"
                    + " from the store");
            if (nodes.contains(cluster.localNode())) {
                local.committed(appends, receipts);
            }
        }
    }
}
