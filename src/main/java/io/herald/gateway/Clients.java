package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.core.JsonCodec;
import io.herald.core.Names;
import io.herald.routing.Frames;
import io.herald.routing.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * What the backend changes about connected clients, cluster-wide: their uid, their groups, their session
 * map, and closing them. A call about one client goes to the node its clientId names ({@code
 * client_not_found} when it is not connected); a call about a uid or group goes to the nodes that hold it.
 */
@ApplicationScoped
public class Clients {

    @Inject
    Cluster cluster;

    @Inject
    Ids ids;

    /** Binds the client to the uid, replacing its previous uid if it had one. */
    public void bindUid(String clientId, String uid) {
        Names.uid(uid);
        Nodes.onClientsNode(cluster, clientId, node -> node.bind(clientId, uid));
    }

    public void unbindUid(String clientId) {
        Nodes.onClientsNode(cluster, clientId, node -> node.unbind(clientId));
    }

    public void joinGroup(String clientId, String group) {
        Names.group(group);
        Nodes.onClientsNode(cluster, clientId, node -> node.join(clientId, group));
    }

    public void leaveGroup(String clientId, String group) {
        Names.group(group);
        Nodes.onClientsNode(cluster, clientId, node -> node.leave(clientId, group));
    }

    /** Every member leaves the group; the members stay connected. */
    public void ungroup(String group) {
        Names.group(group);
        Nodes.callEach(cluster, cluster.nodesOfGroup(group), node -> node.ungroup(group));
    }

    public JsonObject session(String clientId) {
        return JsonCodec.parse(Nodes.onClientsNode(cluster, clientId, node -> node.session(clientId))).asJsonObject();
    }

    /** Replaces the client's session. */
    public void setSession(String clientId, JsonObject session) {
        String json = session.toString();
        Nodes.onClientsNode(cluster, clientId, node -> node.setSession(clientId, json));
    }

    /** Merges top-level keys into the client's session; a key whose value is JSON null is removed. */
    public void mergeSession(String clientId, JsonObject patch) {
        String json = patch.toString();
        Nodes.onClientsNode(cluster, clientId, node -> node.mergeSession(clientId, json));
    }

    /**
     * Where the client stands in its uid's durable stream: {@code {"seq","acked","replaying"}} (see
     * {@code Deliveries#cursorOf}), or JSON null when it has no stream.
     */
    public JsonValue cursor(String clientId) {
        return JsonCodec.parse(Nodes.onClientsNode(cluster, clientId, node -> node.cursor(clientId)));
    }

    /**
     * Closes the client (code 4100) after the frames already queued for it and the optional last message
     * have been sent. It leaves presence at once.
     */
    public void closeClient(String clientId, JsonValue lastMessage) {
        String lastFrame = lastMessage == null ? null : Frames.message(ids.nextMessageId(), lastMessage);
        Nodes.onClientsNode(cluster, clientId, node -> node.close(clientId, lastFrame));
    }

    /** Closes every client of the uid, on every node; returns how many. */
    public int closeUid(String uid) {
        Names.uid(uid);
        return Nodes.callEach(cluster, cluster.nodesOfUid(uid), node -> node.closeUid(uid)).values().stream()
                .mapToInt(Integer::intValue).sum();
    }
}
