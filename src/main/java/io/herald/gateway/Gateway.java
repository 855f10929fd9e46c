package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.config.HeraldConfig;
import io.herald.cluster.NodeCall;
import io.herald.cluster.NodeGone;
import io.herald.connection.Frames;
import io.herald.delivery.Append;
import io.herald.delivery.Deliveries;
import io.herald.delivery.Journal;
import io.herald.delivery.StoredMessage;
import io.herald.delivery.Stream;
import io.herald.delivery.Streams;
import io.herald.metrics.Kind;
import io.herald.metrics.Metrics;
import io.herald.routing.Ids;
import io.herald.routing.Names;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
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
 * <p>Every operation is cluster-wide: a call about one client goes to the node its clientId names; a send
 * to uids or groups goes to the nodes that hold their clients, with the frame encoded once; presence
 * queries gather the answers of those nodes. On a single node all of it stays in this JVM.
 *
 * <p>Sends return at once: each recipient's frame is queued on its connection and sent asynchronously;
 * one failing recipient never stops the others. Bad names throw {@link HeraldException} with code
 * {@code bad_uid}, {@code bad_group} or {@code bad_client_id}; operations on one named client throw
 * {@code client_not_found} when it is not connected. A send that another node it must reach cannot take
 * yet (too much sent to it earlier is still waiting, {@code herald.cluster.max-pending-bytes}) throws
 * {@code cluster_busy} (503) and is sent nowhere.
 */
@ApplicationScoped
public class Gateway {

    static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final int MAX_DURABLE_DATA_CHARS = 1_048_576;

    @Inject
    Cluster cluster;

    @Inject
    HeraldConfig config;

    @Inject
    Ids ids;

    @Inject
    Journal journal;

    @Inject
    Streams streams;

    @Inject
    Deliveries deliveries;

    @Inject
    Metrics metrics;

    @Resource
    TransactionSynchronizationRegistry transactions;

    // ---- sending, ephemeral

    /** Sends to one client; returns the message id. */
    public String sendToClient(String clientId, JsonValue data) {
        long start = System.nanoTime();
        String id = ids.nextMessageId();
        String frame = Frames.message(id, requireData(data));
        if (!onClientsNode(clientId, node -> node.deliverTo(clientId, frame))) {
            throw HeraldException.clientNotFound(clientId);
        }
        metrics.pushed(Kind.CLIENT, false, start);
        return id;
    }

    public String sendToGroup(String group, JsonValue data, Collection<String> excludeClientIds) {
        return send(List.of(), List.of(), List.of(group), data, excludeClientIds);
    }

    public String sendToGroups(Collection<String> groups, JsonValue data, Collection<String> excludeClientIds) {
        return send(List.of(), List.of(), groups, data, excludeClientIds);
    }

    /** Sends to every client on every node, but the excluded ones. */
    public String sendToAll(JsonValue data, Collection<String> excludeClientIds) {
        long start = System.nanoTime();
        String id = ids.nextMessageId();
        String frame = Frames.message(id, requireData(data));
        Set<String> exclude = Set.copyOf(excludeClientIds);
        cluster.tell(cluster.nodes(), frame.length(), node -> node.deliver(frame, List.of(), List.of(), List.of(), true, exclude));
        metrics.pushed(Kind.BROADCAST, false, start);
        return id;
    }

    /**
     * Sends one message, not stored, to the union of the named clients, the clients of the uids and the
     * members of the groups, less the excluded clientIds. A client named more than once receives it once;
     * offline clients are skipped.
     */
    public String send(Collection<String> clientIds, Collection<String> uids, Collection<String> groups,
                       JsonValue data, Collection<String> excludeClientIds) {
        long start = System.nanoTime();
        requireData(data);
        clientIds.forEach(Names::clientId);
        uids.forEach(Names::uid);
        groups.forEach(Names::group);

        Set<String> nodes = new HashSet<>();
        clientIds.forEach(clientId -> nodes.add(Ids.nodeOf(clientId)));
        uids.forEach(uid -> nodes.addAll(cluster.nodesOfUid(uid)));
        groups.forEach(group -> nodes.addAll(cluster.nodesOfGroup(group)));

        String id = ids.nextMessageId();
        String frame = Frames.message(id, data);
        List<String> clientList = List.copyOf(clientIds);
        List<String> uidList = List.copyOf(uids);
        List<String> groupList = List.copyOf(groups);
        Set<String> exclude = Set.copyOf(excludeClientIds);
        cluster.tell(nodes, frame.length(), node -> node.deliver(frame, clientList, uidList, groupList, false, exclude));
        Kind kind = Kind.of(false, clientList, uidList, groupList);
        if (kind != null) {
            metrics.pushed(kind, false, start);
        }
        return id;
    }

    // ---- sending, durable

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
        long start = System.nanoTime();
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
            Receipt receipt = streams.appendAllInCallerTransaction(List.of(append)).get(0);
            transactions.registerInterposedSynchronization(new DeliverAfterCommit(List.of(append), List.of(receipt)));
            metrics.pushed(Kind.UID, true);
            return CompletableFuture.completedFuture(receipt);
        }
        // Counted once committed, before the REST API answers 202: the latency a pusher waits for.
        return journal.append(append).whenComplete((receipt, failure) -> {
            if (failure == null) {
                metrics.pushed(Kind.UID, true, start);
            }
        });
    }

    /**
     * Stores many messages, each for its own uid, with its own data and optional idempotency key (the REST
     * API's {@code POST /api/messages/batch}); completes with a receipt per message, in the list's order,
     * once all are committed. Every entry is checked first (bad_request, bad_uid, bad_idempotency_key,
     * data_too_large, naming the entry's index), so a bad one stores nothing. The list is queued whole or
     * not at all (503 store_busy when the journal's queue lacks room for all of it), and stored in its
     * order, possibly over several commits: the seqs of one uid follow the list. If a commit fails
     * (503 store_unavailable), the messages stored are a prefix of the list; retrying the whole list with
     * the same idempotency keys then stores each message once. Inside a JTA transaction, all are stored in
     * it and delivered after it commits.
     */
    public CompletableFuture<List<Receipt>> storeAll(List<UidMessage> messages) {
        long start = System.nanoTime();
        UidMessage.check(messages);
        List<Append> appends = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            UidMessage message = messages.get(i);
            String json = message.data().toString();
            if (json.length() > MAX_DURABLE_DATA_CHARS) {
                throw new HeraldException(413, "data_too_large", "messages[" + i + "].data: a durable message's"
                        + " data is at most " + MAX_DURABLE_DATA_CHARS + " characters of JSON");
            }
            appends.add(new Append(ids.nextMessageId(), List.of(message.uid()), json, message.idempotencyKey()));
        }
        if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
            List<Receipt> receipts = streams.appendAllInCallerTransaction(appends);
            transactions.registerInterposedSynchronization(new DeliverAfterCommit(appends, receipts));
            receipts.forEach(receipt -> metrics.pushed(Kind.UID, true));
            return CompletableFuture.completedFuture(receipts);
        }
        List<CompletableFuture<Receipt>> pending = journal.appendAll(appends);
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> {
            int stored = 0;
            List<Receipt> receipts = new ArrayList<>(pending.size());
            for (CompletableFuture<Receipt> receipt : pending) {
                if (!receipt.isCompletedExceptionally()) {
                    receipts.add(receipt.join());
                    stored++;
                    // Counted once committed, as store() does: one push per message.
                    metrics.pushed(Kind.UID, true, start);
                }
            }
            if (failure == null) {
                return receipts;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (stored == 0 && cause instanceof HeraldException refused) {
                throw refused;
            }
            throw new HeraldException(503, "store_unavailable", "the first " + stored + " of " + pending.size()
                    + " messages were stored, the others not: retry the whole batch with the same idempotency keys ("
                    + cause.getMessage() + ")");
        });
    }

    /**
     * Sends many messages, each to the clients its uid has online now, not stored; returns their ids in the
     * list's order. Every entry is checked first, as for {@link #storeAll}: a bad one sends nothing.
     */
    public List<String> sendAll(List<UidMessage> messages) {
        UidMessage.check(messages);
        List<String> sent = new ArrayList<>(messages.size());
        for (UidMessage message : messages) {
            sent.add(send(List.of(), List.of(message.uid()), List.of(), message.data(), Set.of()));
        }
        return sent;
    }

    /**
     * Up to {@code limit} stored messages of the uid after {@code since}, oldest first, and no more than
     * hold {@code herald.durable.page-max-bytes} of data together (at least one): the caller pages on from
     * the last seq it got.
     */
    public List<StoredMessage> history(String uid, long since, int limit) {
        return streams.read(Names.uid(uid), since, limit, config.durablePageMaxBytes(), true).messages();
    }

    /** The uid's stream, or null if nothing was ever stored for it. */
    public Stream stream(String uid) {
        return streams.stream(Names.uid(uid));
    }

    // ---- uids

    /** Binds the client to the uid, replacing its previous uid if it had one. */
    public void bindUid(String clientId, String uid) {
        Names.uid(uid);
        onClientsNode(clientId, node -> node.bind(clientId, uid));
    }

    public void unbindUid(String clientId) {
        onClientsNode(clientId, node -> node.unbind(clientId));
    }

    public boolean isUidOnline(String uid) {
        return !cluster.nodesOfUid(Names.uid(uid)).isEmpty();
    }

    public List<String> clientIdsOfUid(String uid) {
        Names.uid(uid);
        return gather(cluster.callEach(cluster.nodesOfUid(uid), node -> node.clientIdsOfUid(uid)));
    }

    public Optional<String> uidOf(String clientId) {
        String uid = onClientsNode(clientId, node -> node.uidOf(clientId));
        return uid.isEmpty() ? Optional.empty() : Optional.of(uid);
    }

    // ---- groups

    public void joinGroup(String clientId, String group) {
        Names.group(group);
        onClientsNode(clientId, node -> node.join(clientId, group));
    }

    public void leaveGroup(String clientId, String group) {
        Names.group(group);
        onClientsNode(clientId, node -> node.leave(clientId, group));
    }

    /** Every member leaves the group; the members stay connected. */
    public void ungroup(String group) {
        Names.group(group);
        cluster.callEach(cluster.nodesOfGroup(group), node -> node.ungroup(group));
    }

    public List<String> clientIdsOfGroup(String group) {
        Names.group(group);
        return gather(cluster.callEach(cluster.nodesOfGroup(group), node -> node.clientIdsOfGroup(group)));
    }

    public Set<String> uidsOfGroup(String group) {
        Names.group(group);
        Set<String> uids = new HashSet<>();
        cluster.callEach(cluster.nodesOfGroup(group), node -> node.uidsOfGroup(group)).values().forEach(uids::addAll);
        return uids;
    }

    public Set<String> groupsOf(String clientId) {
        return Set.copyOf(onClientsNode(clientId, node -> node.groupsOf(clientId)));
    }

    public List<String> groupNames() {
        return new ArrayList<>(cluster.groupNames());
    }

    // ---- presence and counts

    public boolean isOnline(String clientId) {
        try {
            return cluster.call(Ids.nodeOf(Names.clientId(clientId)), node -> node.isOnline(clientId));
        } catch (NodeGone gone) {
            return false;
        }
    }

    /** The ids of the live nodes, this one included. */
    public Set<String> nodes() {
        return cluster.nodes();
    }

    public int clientCount() {
        return cluster.callEach(cluster.nodes(), LocalGateway::clientCount).values().stream()
                .mapToInt(Integer::intValue).sum();
    }

    public int uidCount() {
        return cluster.uidCount();
    }

    public int groupCount() {
        return cluster.groupCount();
    }

    // ---- sessions

    public JsonObject session(String clientId) {
        return JsonCodec.parse(onClientsNode(clientId, node -> node.session(clientId))).asJsonObject();
    }

    /** Replaces the client's session. */
    public void setSession(String clientId, JsonObject session) {
        String json = session.toString();
        onClientsNode(clientId, node -> node.setSession(clientId, json));
    }

    /** Merges top-level keys into the client's session; a key whose value is JSON null is removed. */
    public void mergeSession(String clientId, JsonObject patch) {
        String json = patch.toString();
        onClientsNode(clientId, node -> node.mergeSession(clientId, json));
    }

    /**
     * Where the client stands in its uid's durable stream: {@code {"seq","acked","replaying"}} (see
     * {@code Deliveries#cursorOf}), or JSON null when it has no stream.
     */
    public JsonValue cursor(String clientId) {
        return JsonCodec.parse(onClientsNode(clientId, node -> node.cursor(clientId)));
    }

    // ---- closing

    /**
     * Closes the client (code 4100) after the frames already queued for it and the optional last message
     * have been sent. It leaves presence at once.
     */
    public void closeClient(String clientId, JsonValue lastMessage) {
        String lastFrame = lastMessage == null ? null : Frames.message(ids.nextMessageId(), lastMessage);
        onClientsNode(clientId, node -> node.close(clientId, lastFrame));
    }

    /** Closes every client of the uid, on every node; returns how many. */
    public int closeUid(String uid) {
        Names.uid(uid);
        return cluster.callEach(cluster.nodesOfUid(uid), node -> node.closeUid(uid)).values().stream()
                .mapToInt(Integer::intValue).sum();
    }

    /** Runs the call on the node that holds the client; client_not_found if that node is gone. */
    private <T> T onClientsNode(String clientId, NodeCall<T> call) {
        try {
            return cluster.call(Ids.nodeOf(Names.clientId(clientId)), call);
        } catch (NodeGone gone) {
            throw HeraldException.clientNotFound(clientId);
        }
    }

    private static List<String> gather(Map<String, ? extends Collection<String>> byNode) {
        List<String> all = new ArrayList<>();
        byNode.values().forEach(all::addAll);
        return all;
    }

    private static JsonValue requireData(JsonValue data) {
        if (data == null) {
            throw HeraldException.badRequest("bad_request", "data is required (any JSON value)");
        }
        return data;
    }

    /** Hands messages stored in a caller's transaction to live delivery once that transaction commits. */
    private final class DeliverAfterCommit implements Synchronization {
        private final List<Append> appends;
        private final List<Receipt> receipts;

        DeliverAfterCommit(List<Append> appends, List<Receipt> receipts) {
            this.appends = appends;
            this.receipts = receipts;
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
                deliveries.publish(appends, receipts);
            }
        }
    }
}
