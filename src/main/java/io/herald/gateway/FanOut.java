package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.core.Receipt;
import io.herald.delivery.Append;
import io.herald.delivery.Committed;
import io.herald.routing.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The last step of every push: a frame encoded once, handed to each node that holds recipients (this one
 * included, synchronously, so that one caller's sends keep their order), where {@link LocalGateway} queues
 * it on the clients' connections. Durable messages come here once committed, from the journal or, for a
 * push stored in a caller's transaction, once that transaction has committed.
 */
@ApplicationScoped
public class FanOut {

    @Inject
    Cluster cluster;

    /** To every client on every node but the excluded ones. */
    void toAll(String frame, Set<String> exclude) {
        cluster.tell(cluster.nodes(), (GatewayCall<Integer>) node ->
                node.deliver(frame, List.of(), List.of(), List.of(), true, exclude));
    }

    /** To the union of the named clients, the uids' clients and the groups' members, less the excluded. */
    void to(String frame, List<String> clientIds, List<String> uids, List<String> groups, Set<String> exclude) {
        Set<String> nodes = new HashSet<>();
        clientIds.forEach(clientId -> nodes.add(Ids.nodeOf(clientId)));
        uids.forEach(uid -> nodes.addAll(cluster.nodesOfUid(uid)));
        groups.forEach(group -> nodes.addAll(cluster.nodesOfGroup(group)));
        // The call travels to other nodes: it captures only strings and immutable collections.
        cluster.tell(nodes, (GatewayCall<Integer>) node -> node.deliver(frame, clientIds, uids, groups, false, exclude));
    }

    /**
     * Committed durable messages, in commit order, to the nodes that hold clients of their uids. A node
     * that gets batches out of order, or misses one, catches up from the store, so order and completeness do
     * not depend on the cluster's messaging.
     */
    void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) Committed committed) {
        Set<String> nodes = new HashSet<>();
        for (Append append : committed.appends()) {
            append.uids().forEach(uid -> nodes.addAll(cluster.nodesOfUid(uid)));
        }
        if (!nodes.isEmpty()) {
            List<Append> appends = committed.appends();
            List<Receipt> receipts = committed.receipts();
            cluster.tell(nodes, (GatewayCall<Boolean>) node -> node.committed(appends, receipts));
        }
    }
}
