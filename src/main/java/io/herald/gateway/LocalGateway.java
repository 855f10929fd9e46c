package io.herald.gateway;

import io.herald.routing.ConnectionSettings;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.delivery.Append;
import io.herald.delivery.Deliveries;
import io.herald.metrics.Kind;
import io.herald.metrics.Metrics;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.herald.core.JsonCodec;
import io.herald.core.HeraldException;
import io.herald.core.Receipt;

/**
 * The operations on the clients connected to this node. {@link Gateway} validates, encodes and routes;
 * this class acts, on whichever node holds the clients. Its arguments and results cross nodes, so JSON
 * comes and goes as text and collections as serializable copies.
 */
@ApplicationScoped
public class LocalGateway {

    @Inject
    Registry registry;

    @Inject
    Deliveries deliveries;

    @Inject
    ConnectionSettings connection;

    @Inject
    Metrics metrics;

    /**
     * Queues one encoded frame for the union of the named clients, the uids' clients and the groups'
     * members on this node (or every client here, if {@code everyone}), less the excluded clientIds.
     * A client matched more than once gets the frame once. Returns how many clients it was queued for.
     */
    public int deliver(String frame, Collection<String> clientIds, Collection<String> uids,
                       Collection<String> groups, boolean everyone, Set<String> exclude) {
        Collection<Client> recipients;
        if (everyone) {
            recipients = registry.allClients();
        } else if (clientIds.isEmpty() && groups.isEmpty() && uids.size() == 1) {
            recipients = registry.clientsOfUid(uids.iterator().next());
        } else {
            Set<Client> union = new LinkedHashSet<>();
            for (String clientId : clientIds) {
                Client client = registry.client(clientId);
                if (client != null) {
                    union.add(client);
                }
            }
            uids.forEach(uid -> union.addAll(registry.clientsOfUid(uid)));
            groups.forEach(group -> union.addAll(registry.clientsOfGroup(group)));
            recipients = union;
        }
        int queued = 0;
        for (Client client : recipients) {
            if (!exclude.contains(client.id()) && client.send(frame)) {
                queued++;
            }
        }
        Kind kind = Kind.of(everyone, clientIds, uids, groups);
        if (queued > 0 && kind != null) {
            metrics.delivered(kind, false).inc(queued);
        }
        return queued;
    }

    /** Queues a frame for one client; false if it is not connected here. */
    public boolean deliverTo(String clientId, String frame) {
        Client client = registry.client(clientId);
        if (client == null || !client.send(frame)) {
            return false;
        }
        metrics.delivered(Kind.CLIENT, false).inc();
        return true;
    }

    /** Hands committed durable messages to this node's clients of their uids. */
    public boolean committed(List<Append> appends, List<Receipt> receipts) {
        deliveries.committed(appends, receipts);
        return true;
    }

    public boolean isOnline(String clientId) {
        return registry.client(clientId) != null;
    }

    public boolean bind(String clientId, String uid) {
        Client client = require(clientId);
        boolean changed = !uid.equals(client.uid());
        if (!registry.bind(client, uid)) {
            throw HeraldException.clientNotFound(clientId);
        }
        if (changed) {
            // The client starts on its new uid's stream after the uid's acknowledged position.
            deliveries.attach(client, uid, null, null);
        }
        return true;
    }

    public boolean unbind(String clientId) {
        Client client = require(clientId);
        deliveries.detach(client);
        registry.unbind(client);
        return true;
    }

    /** The client's uid, or "" when it has none (null does not travel well as a result). */
    public String uidOf(String clientId) {
        String uid = require(clientId).uid();
        return uid == null ? "" : uid;
    }

    public ArrayList<String> clientIdsOfUid(String uid) {
        return idsOf(registry.clientsOfUid(uid));
    }

    public boolean join(String clientId, String group) {
        Client client = require(clientId);
        // Under the client's lock, as the registry changes its groups: the limit holds against racing joins.
        synchronized (client) {
            if (!client.groups().contains(group) && client.groups().size() >= connection.groupsPerClient()) {
                throw new HeraldException(409, "too_many_groups", "the client is in "
                        + connection.groupsPerClient() + " groups already (herald.limits.groups-per-client)");
            }
            if (!registry.join(client, group)) {
                throw HeraldException.clientNotFound(clientId);
            }
        }
        deliveries.joined(client, List.of(group));
        return true;
    }

    public boolean leave(String clientId, String group) {
        Client client = require(clientId);
        registry.leave(client, group);
        deliveries.left(client, group);
        return true;
    }

    public boolean ungroup(String group) {
        Collection<Client> members = registry.clientsOfGroup(group);
        registry.dissolve(group);
        members.forEach(member -> deliveries.left(member, group));
        return true;
    }

    public ArrayList<String> clientIdsOfGroup(String group) {
        return idsOf(registry.clientsOfGroup(group));
    }

    public HashSet<String> uidsOfGroup(String group) {
        return new HashSet<>(registry.uidsOfGroup(group));
    }

    /** In name order: the client's set has none of its own. */
    public ArrayList<String> groupsOf(String clientId) {
        ArrayList<String> groups = new ArrayList<>(require(clientId).groups());
        groups.sort(null);
        return groups;
    }

    /** The client's position in its uid's stream as JSON text ({@code null} when it has none). */
    public String cursor(String clientId) {
        JsonObject cursor = deliveries.cursorOf(require(clientId));
        return cursor == null ? "null" : cursor.toString();
    }

    public int clientCount() {
        return registry.clientCount();
    }

    /** The client's session as JSON text. */
    public String session(String clientId) {
        return require(clientId).session().toString();
    }

    public boolean setSession(String clientId, String session) {
        Client client = require(clientId);
        JsonObject replacement = checkedSize(JsonCodec.parse(session).asJsonObject());
        synchronized (client) {
            client.session(replacement);
        }
        return true;
    }

    /** Merges top-level keys into the session; a key whose value is JSON null is removed. */
    public boolean mergeSession(String clientId, String patch) {
        Client client = require(clientId);
        synchronized (client) {
            JsonObjectBuilder merged = JsonCodec.object(client.session());
            for (Map.Entry<String, JsonValue> entry : JsonCodec.parse(patch).asJsonObject().entrySet()) {
                if (entry.getValue().getValueType() == JsonValue.ValueType.NULL) {
                    merged.remove(entry.getKey());
                } else {
                    merged.add(entry.getKey(), entry.getValue());
                }
            }
            client.session(checkedSize(merged.build()));
        }
        return true;
    }

    /** Closes the client (4100) after its queued frames and the optional last frame; it leaves presence now. */
    public boolean close(String clientId, String lastFrame) {
        close(require(clientId), lastFrame);
        return true;
    }

    /** Closes this node's clients of the uid; returns how many. */
    public int closeUid(String uid) {
        Collection<Client> clients = registry.clientsOfUid(uid);
        clients.forEach(client -> close(client, null));
        return clients.size();
    }

    private void close(Client client, String lastFrame) {
        if (lastFrame != null) {
            client.send(lastFrame);
        }
        client.outbox().closeAfterDrain(CloseCodes.CLOSED_BY_APPLICATION.reason());
        deliveries.detach(client);
        registry.remove(client);
    }

    private Client require(String clientId) {
        Client client = registry.client(clientId);
        if (client == null) {
            throw HeraldException.clientNotFound(clientId);
        }
        return client;
    }

    private JsonObject checkedSize(JsonObject session) {
        int bytes = session.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > connection.sessionMaxBytes()) {
            throw HeraldException.badRequest("session_too_large", "the session would be " + bytes
                    + " bytes of JSON; the limit is " + connection.sessionMaxBytes());
        }
        return session;
    }

    private static ArrayList<String> idsOf(Collection<Client> clients) {
        ArrayList<String> ids = new ArrayList<>(clients.size());
        clients.forEach(client -> ids.add(client.id()));
        return ids;
    }
}
