package io.herald.gateway;

import io.herald.cluster.Cluster;
import io.herald.routing.Frames;
import io.herald.delivery.Append;
import io.herald.delivery.Committed;
import io.herald.delivery.Journal;
import io.herald.delivery.StoredMessage;
import io.herald.delivery.StreamKey;
import io.herald.delivery.Streams;
import io.herald.metrics.Kind;
import io.herald.metrics.Metrics;
import io.herald.routing.Ids;
import io.herald.core.Names;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import io.herald.core.HeraldException;
import io.herald.core.Receipt;

/**
 * Where every push enters Herald, from the REST API, from code deployed in the same WAR
 * ({@code @Inject Gateway gateway}) and from clients' relayed messages: each is checked once, encoded
 * once, stored first if it is durable, and handed to {@link FanOut}. The names follow GatewayWorker's
 * {@code Gateway} class where they can; the rest of its API is in {@link Clients} (uids, groups, sessions,
 * closing), {@link Presence} (who is online, counts) and {@link History} (stored messages).
 *
 * <p>Every send is cluster-wide: a send to a client goes to the node its clientId names; to uids or groups,
 * to the nodes that hold their clients. Sends return at once: each recipient's frame is queued on its
 * connection and sent asynchronously; one failing recipient never stops the others. Bad names throw
 * {@link HeraldException} with code {@code bad_uid}, {@code bad_group} or {@code bad_client_id}; a send to
 * one named client throws {@code client_not_found} when it is not connected. A send that another node it
 * must reach cannot take yet (too much sent to it earlier is still waiting,
 * {@code herald.cluster.max-pending-bytes}) throws {@code cluster_busy} (503) and is sent nowhere.
 */
@ApplicationScoped
public class Gateway {

    static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    @Inject
    Cluster cluster;


    @Inject
    Ids ids;

    @Inject
    Journal journal;

    @Inject
    Streams streams;

    @Inject
    Metrics metrics;

    @Inject
    FanOut fanOut;

    @Inject
    Event<Committed> committed;

    @Resource
    TransactionSynchronizationRegistry transactions;

    // ---- sending, ephemeral

    /** Sends to one client; returns the message id. */
    public String sendToClient(String clientId, JsonValue data) {
        long start = System.nanoTime();
        String id = ids.nextMessageId();
        String frame = Frames.message(id, requireData(data));
        if (!Nodes.onClientsNode(cluster, clientId, node -> node.deliverTo(clientId, frame))) {
            throw HeraldException.clientNotFound(clientId);
        }
        metrics.pushed(Kind.CLIENT, false, start);
        return id;
    }

    public String sendToGroup(String group, JsonValue data, Collection<String> excludeClientIds) {
        return sendToGroups(List.of(group), data, excludeClientIds);
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
        fanOut.toAll(frame, exclude);
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

        String id = ids.nextMessageId();
        String frame = Frames.message(id, data);
        List<String> clientList = List.copyOf(clientIds);
        List<String> uidList = List.copyOf(uids);
        List<String> groupList = List.copyOf(groups);
        Set<String> exclude = Set.copyOf(excludeClientIds);
        fanOut.to(frame, clientList, uidList, groupList, exclude);
        Kind kind = Kind.of(false, clientList, uidList, groupList);
        if (kind != null) {
            metrics.pushed(kind, false, start);
        }
        return id;
    }

    /**
     * Relays a client's {@code send} frame (PROTOCOL.md, "Client-to-client messages") to the clients of a
     * uid or the members of a group, on every node, never back to the sending client: ephemeral, with the
     * sender's uid as {@code from}. The relay policy has been checked by the caller.
     */
    public void relay(String senderClientId, String fromUid, JsonObject to, String uid, String group,
                      JsonValue data) {
        String frame = Frames.relayed(ids.nextMessageId(), fromUid, to, data);
        fanOut.to(frame, List.of(), uid == null ? List.of() : List.of(Names.uid(uid)),
                group == null ? List.of() : List.of(Names.group(group)), Set.of(senderClientId));
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
        checkIdempotencyKey(idempotencyKey);
        Append append = new Append(ids.nextMessageId(), targets, storable(data), idempotencyKey);
        return store(append, Kind.UID, start);
    }

    /**
     * Sends to the group's members, stored or not: {@link #sendToGroup(String, JsonValue, Collection)}, or
     * {@link #storeToGroup} and its receipt (the seq under the group's name) once committed.
     */
    public Receipt sendToGroup(String group, JsonValue data, Collection<String> excludeClientIds,
                               Durability durability) {
        if (durability == Durability.EPHEMERAL) {
            return new Receipt(sendToGroup(group, data, excludeClientIds), Map.of());
        }
        try {
            return storeToGroup(group, data, excludeClientIds, null).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /**
     * Stores one message in the group's stream, once whatever the group's size, with the next seq of that
     * stream, and delivers it to the group's members (less the excluded clientIds) once committed; members
     * that were away get it when they resume the group (PROTOCOL.md, "Durable groups"). Completes with the
     * receipt, its seq under the group's name, after the commit. A retry with the same idempotency key
     * completes with the original receipt and stores nothing. Inside a JTA transaction, the message is
     * stored in that transaction and delivered only after it commits.
     */
    public CompletableFuture<Receipt> storeToGroup(String group, JsonValue data, Collection<String> excludeClientIds,
                                                   String idempotencyKey) {
        long start = System.nanoTime();
        Names.group(group);
        checkIdempotencyKey(idempotencyKey);
        Set<String> exclude = Set.copyOf(excludeClientIds);
        Append append = Append.toGroup(ids.nextMessageId(), group, storable(data), idempotencyKey, exclude);
        return store(append, Kind.GROUP, start).thenApply(StreamKey::named);
    }

    /** Stores one push: in the caller's JTA transaction if there is one, else through the journal. */
    private CompletableFuture<Receipt> store(Append append, Kind kind, long start) {
        if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
            Receipt receipt = streams.appendAllInCallerTransaction(List.of(append)).get(0);
            committed.fire(new Committed(List.of(append), List.of(receipt))); // delivered once it commits
            metrics.pushed(kind, true);
            return CompletableFuture.completedFuture(receipt);
        }
        // Counted once committed, before the REST API answers 202: the latency a pusher waits for.
        return journal.append(append).whenComplete((receipt, failure) -> {
            if (failure == null) {
                metrics.pushed(kind, true, start);
            }
        });
    }

    private static void checkIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw HeraldException.badRequest("bad_idempotency_key",
                    "an idempotency key is 1 to 200 printable ASCII characters without spaces");
        }
    }

    /** The data as the JSON text to store; data_too_large (413) past what a stored message may hold. */
    private static String storable(JsonValue data) {
        String json = requireData(data).toString();
        if (json.length() > StoredMessage.MAX_DATA_CHARS) {
            throw new HeraldException(413, "data_too_large",
                    "a durable message's data is at most " + StoredMessage.MAX_DATA_CHARS + " characters of JSON");
        }
        return json;
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
            if (json.length() > StoredMessage.MAX_DATA_CHARS) {
                throw new HeraldException(413, "data_too_large", "messages[" + i + "].data: a durable message's"
                        + " data is at most " + StoredMessage.MAX_DATA_CHARS + " characters of JSON");
            }
            appends.add(new Append(ids.nextMessageId(), List.of(message.uid()), json, message.idempotencyKey()));
        }
        if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
            List<Receipt> receipts = streams.appendAllInCallerTransaction(appends);
            committed.fire(new Committed(appends, receipts)); // delivered once it commits
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

    private static JsonValue requireData(JsonValue data) {
        if (data == null) {
            throw HeraldException.badRequest("bad_request", "data is required (any JSON value)");
        }
        return data;
    }
}
