package io.herald.gateway;

import io.herald.config.HeraldConfig;
import io.herald.connection.Client;
import io.herald.connection.CloseCodes;
import io.herald.connection.Frames;
import io.herald.routing.Ids;
import io.herald.routing.Names;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Herald's operations, for code deployed in the same WAR ({@code @Inject Gateway gateway}) and for the
 * REST API. The names follow GatewayWorker's {@code Gateway} class where they can.
 *
 * <p>Sends return at once: each recipient's frame is queued on its connection and sent asynchronously.
 * A fan-out encodes its frame once; one failing recipient never stops the others. Bad names throw
 * {@link HeraldException} with code {@code bad_uid}, {@code bad_group} or {@code bad_client_id};
 * operations on one named client throw {@code client_not_found} when it is not connected.
 */
@ApplicationScoped
public class Gateway {

    @Inject
    Registry registry;

    @Inject
    Ids ids;

    @Inject
    HeraldConfig config;

    // ---- sending

    /** Sends to one client; returns the message id. */
    public String sendToClient(String clientId, JsonValue data) {
        Client client = requireClient(clientId);
        String id = ids.nextMessageId();
        client.send(Frames.message(id, requireData(data)));
        return id;
    }

    /** Sends to every client of the uid (none, if it is offline); returns the message id. */
    public String sendToUid(String uid, JsonValue data) {
        return send(List.of(), List.of(uid), List.of(), data, Set.of());
    }

    public String sendToUids(Collection<String> uids, JsonValue data) {
        return send(List.of(), uids, List.of(), data, Set.of());
    }

    public String sendToGroup(String group, JsonValue data, Collection<String> excludeClientIds) {
        return send(List.of(), List.of(), List.of(group), data, excludeClientIds);
    }

    public String sendToGroups(Collection<String> groups, JsonValue data, Collection<String> excludeClientIds) {
        return send(List.of(), List.of(), groups, data, excludeClientIds);
    }

    /** Sends to every client of this node, but the excluded ones. */
    public String sendToAll(JsonValue data, Collection<String> excludeClientIds) {
        String id = ids.nextMessageId();
        String frame = Frames.message(id, requireData(data));
        Set<String> exclude = Set.copyOf(excludeClientIds);
        for (Client client : registry.allClients()) {
            if (!exclude.contains(client.id())) {
                client.send(frame);
            }
        }
        return id;
    }

    /**
     * Sends one message to the union of the named clients, the clients of the uids and the members of the
     * groups, less the excluded clientIds. A client named more than once receives it once; offline
     * clients are skipped.
     */
    public String send(Collection<String> clientIds, Collection<String> uids, Collection<String> groups,
                       JsonValue data, Collection<String> excludeClientIds) {
        requireData(data);
        clientIds.forEach(Names::clientId);
        uids.forEach(Names::uid);
        groups.forEach(Names::group);

        Set<Client> recipients = new LinkedHashSet<>();
        for (String clientId : clientIds) {
            Client client = registry.client(clientId);
            if (client != null) {
                recipients.add(client);
            }
        }
        uids.forEach(uid -> recipients.addAll(registry.clientsOfUid(uid)));
        groups.forEach(group -> recipients.addAll(registry.clientsOfGroup(group)));
        if (!excludeClientIds.isEmpty()) {
            Set<String> exclude = Set.copyOf(excludeClientIds);
            recipients.removeIf(client -> exclude.contains(client.id()));
        }

        String id = ids.nextMessageId();
        String frame = Frames.message(id, data);
        for (Client client : recipients) {
            client.send(frame);
        }
        return id;
    }

    // ---- uids

    /** Binds the client to the uid, replacing its previous uid if it had one. */
    public void bindUid(String clientId, String uid) {
        Names.uid(uid);
        if (!registry.bind(requireClient(clientId), uid)) {
            throw HeraldException.clientNotFound(clientId);
        }
    }

    public void unbindUid(String clientId) {
        registry.unbind(requireClient(clientId));
    }

    public boolean isUidOnline(String uid) {
        return registry.uidOnline(Names.uid(uid));
    }

    public List<String> clientIdsOfUid(String uid) {
        return idsOf(registry.clientsOfUid(Names.uid(uid)));
    }

    public Optional<String> uidOf(String clientId) {
        return Optional.ofNullable(requireClient(clientId).uid());
    }

    // ---- groups

    public void joinGroup(String clientId, String group) {
        Names.group(group);
        if (!registry.join(requireClient(clientId), group)) {
            throw HeraldException.clientNotFound(clientId);
        }
    }

    public void leaveGroup(String clientId, String group) {
        Names.group(group);
        registry.leave(requireClient(clientId), group);
    }

    /** Every member leaves the group; the members stay connected. */
    public void ungroup(String group) {
        registry.dissolve(Names.group(group));
    }

    public List<String> clientIdsOfGroup(String group) {
        return idsOf(registry.clientsOfGroup(Names.group(group)));
    }

    public Set<String> uidsOfGroup(String group) {
        return registry.uidsOfGroup(Names.group(group));
    }

    public Set<String> groupsOf(String clientId) {
        return Set.copyOf(requireClient(clientId).groups());
    }

    public List<String> groupNames() {
        return registry.groupNames();
    }

    // ---- presence and counts

    public boolean isOnline(String clientId) {
        return registry.client(clientId) != null;
    }

    public int clientCount() {
        return registry.clientCount();
    }

    public int uidCount() {
        return registry.uidCount();
    }

    public int groupCount() {
        return registry.groupCount();
    }

    // ---- sessions

    public JsonObject session(String clientId) {
        return requireClient(clientId).session();
    }

    /** Replaces the client's session. */
    public void setSession(String clientId, JsonObject session) {
        Client client = requireClient(clientId);
        synchronized (client) {
            client.session(checkedSize(session));
        }
    }

    /** Merges top-level keys into the client's session; a key whose value is JSON null is removed. */
    public void mergeSession(String clientId, JsonObject patch) {
        Client client = requireClient(clientId);
        synchronized (client) {
            JsonObjectBuilder merged = JsonCodec.object(client.session());
            for (Map.Entry<String, JsonValue> entry : patch.entrySet()) {
                if (entry.getValue().getValueType() == JsonValue.ValueType.NULL) {
                    merged.remove(entry.getKey());
                } else {
                    merged.add(entry.getKey(), entry.getValue());
                }
            }
            client.session(checkedSize(merged.build()));
        }
    }

    // ---- closing

    /**
     * Closes the client (code 4100) after the frames already queued for it and the optional last message
     * have been sent. It leaves presence at once.
     */
    public void closeClient(String clientId, JsonValue lastMessage) {
        close(requireClient(clientId), lastMessage);
    }

    /** Closes every client of the uid; returns how many. */
    public int closeUid(String uid) {
        Collection<Client> clients = registry.clientsOfUid(Names.uid(uid));
        clients.forEach(client -> close(client, null));
        return clients.size();
    }

    private void close(Client client, JsonValue lastMessage) {
        if (lastMessage != null) {
            client.send(Frames.message(ids.nextMessageId(), lastMessage));
        }
        client.outbox().closeAfterDrain(CloseCodes.CLOSED_BY_APPLICATION.reason());
        registry.remove(client);
    }

    private Client requireClient(String clientId) {
        Client client = registry.client(Names.clientId(clientId));
        if (client == null) {
            throw HeraldException.clientNotFound(clientId);
        }
        return client;
    }

    private JsonObject checkedSize(JsonObject session) {
        int bytes = session.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.sessionMaxBytes()) {
            throw HeraldException.badRequest("session_too_large", "the session would be " + bytes
                    + " bytes of JSON; the limit is " + config.sessionMaxBytes());
        }
        return session;
    }

    private static JsonValue requireData(JsonValue data) {
        if (data == null) {
            throw HeraldException.badRequest("bad_request", "data is required (any JSON value)");
        }
        return data;
    }

    private static List<String> idsOf(Collection<Client> clients) {
        return clients.stream().map(Client::id).toList();
    }
}
