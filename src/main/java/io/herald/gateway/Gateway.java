package io.herald.gateway;

import io.herald.config.HeraldConfig;
import io.herald.delivery.Append;
import io.herald.delivery.Deliveries;
import io.herald.delivery.Journal;
import io.herald.delivery.StoredMessage;
import io.herald.delivery.Stream;
import io.herald.delivery.Streams;
import io.herald.connection.Client;
import io.herald.connection.CloseCodes;
import io.herald.connection.Frames;
import io.herald.routing.Ids;
import io.herald.routing.Names;
import io.herald.routing.Registry;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

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

    @Inject
    Journal journal;

    @Inject
    Streams streams;

    @Inject
    Deliveries deliveries;

    @Resource
    TransactionSynchronizationRegistry transactions;

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final int MAX_DURABLE_DATA_CHARS = 1_048_576;

    // ---- sending

    /** Sends to one client; returns the message id. */
    public String sendToClient(String clientId, JsonValue data) {
        Client client = requireClient(clientId);
        String id = ids.nextMessageId();
        client.send(Frames.message(id, requireData(data)));
        return id;
    }

    /**
     * Stores a message in the uid's stream and delivers it to the uid's clients, now or when they come
     * back. Returns once the message is committed. Inside a JTA transaction, the message is stored in that
     * transaction and delivered only after it commits; on rollback it never existed.
     */
    public Receipt sendToUid(String uid, JsonValue data) {
        return sendToUids(List.of(uid), data);
    }

    /** {@link #sendToUid(String, JsonValue)} for several uids: one stored copy per uid. */
    public Receipt sendToUids(Collection<String> uids, JsonValue data) {
        try {
            return store(uids, data, null).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Sends to the uid's clients, stored or not. An ephemeral send's receipt has no seqs. */
    public Receipt sendToUid(String uid, JsonValue data, Durability durability) {
        if (durability == Durability.DURABLE) {
            return sendToUid(uid, data);
        }
        return new Receipt(send(List.of(), List.of(uid), List.of(), data, Set.of()), Map.of());
    }

    /**
     * Stores one message for each uid and completes after the commit (the REST API's durable push). A
     * retry with the same idempotency key completes with the original receipt and stores nothing.
     */
    public CompletableFuture<Receipt> store(Collection<String> uids, JsonValue data, String idempotencyKey) {
        List<String> targets = List.copyOf(new LinkedHashSet<>(uids));
        targets.forEach(Names::uid);
        if (targets.isEmpty()) {
            throw HeraldException.badRequest("bad_request", "at least one uid is required");
        }
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw HeraldException.badRequest("bad_idempotency_key",
                    "an idempotency key is 1 to 200 printable ASCII characters without spaces");
        }
        String json = requireData(data).toString();
        if (json.length() > MAX_DURABLE_DATA_CHARS) {
            throw new HeraldException(413, "data_too_large",
                    "a durable message's data is at most " + MAX_DURABLE_DATA_CHARS + " characters of JSON");
        }
        Append append = new Append(ids.nextMessageId(), targets, json, idempotencyKey);
        if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
            Receipt receipt = streams.appendInCallerTransaction(append);
            transactions.registerInterposedSynchronization(new DeliverAfterCommit(append, receipt));
            return CompletableFuture.completedFuture(receipt);
        }
        return journal.append(append);
    }

    /** Up to {@code limit} stored messages of the uid after {@code since}, oldest first. */
    public List<StoredMessage> history(String uid, long since, int limit) {
        return streams.read(Names.uid(uid), since, limit);
    }

    /** The uid's stream, or null if nothing was ever stored for it. */
    public Stream stream(String uid) {
        return streams.stream(Names.uid(uid));
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
        Client client = requireClient(clientId);
        boolean changed = !uid.equals(client.uid());
        if (!registry.bind(client, uid)) {
            throw HeraldException.clientNotFound(clientId);
        }
        if (changed) {
            // The client starts on its new uid's stream after the uid's acknowledged position.
            deliveries.attach(client, uid, null, null);
        }
    }

    public void unbindUid(String clientId) {
        Client client = requireClient(clientId);
        deliveries.detach(client);
        registry.unbind(client);
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
        deliveries.detach(client);
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

    /** Hands a message stored in a caller's transaction to live delivery once that transaction commits. */
    private final class DeliverAfterCommit implements Synchronization {
        private final Append append;
        private final Receipt receipt;

        DeliverAfterCommit(Append append, Receipt receipt) {
            this.append = append;
            this.receipt = receipt;
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
                deliveries.committed(List.of(append), List.of(receipt));
            }
        }
    }

    private static List<String> idsOf(Collection<Client> clients) {
        return clients.stream().map(Client::id).toList();
    }
}
