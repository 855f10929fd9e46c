package io.herald.routing;

import io.herald.metrics.Metrics;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected to this node: clients by id, and the uid and group indexes over them.
 *
 * <p>Index sets are created, replaced and removed only inside {@code compute} for their key, so a uid or
 * group exists exactly while it has clients. A client's own uid/groups fields change under the client's lock
 * together with the indexes, and a closed client can no longer be bound or joined.
 */
@ApplicationScoped
public class Registry {

    /**
     * Told when a uid or group gains its first client on this node or loses its last one, so that a
     * cluster can index which nodes hold what. Called inside the index update for that key, so calls for
     * one key never overtake each other.
     */
    public interface Presence {
        void changed(String key, boolean present);

        Presence NONE = (key, present) -> { };

        default Presence andThen(Presence next) {
            return (key, present) -> {
                changed(key, present);
                next.changed(key, present);
            };
        }
    }

    /**
     * Members of a uid or group up to this many are kept in an immutable set, replaced on every change:
     * most uids have one client, and a concurrent set cost each of them about 200 bytes. Larger ones are
     * concurrent sets, changed in place.
     */
    private static final int SMALL = 8;

    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, Set<Client>> uids = new ConcurrentHashMap<>();
    private final Map<String, Set<Client>> groups = new ConcurrentHashMap<>();
    private volatile Presence uidPresence = Presence.NONE;
    private volatile Presence groupPresence = Presence.NONE;

    /**
     * Adds listeners for uid and group presence changes (the cluster's index, webhooks). They run on the
     * connection's thread inside the index update: they must be quick and must not block.
     */
    public synchronized void track(Presence uidPresence, Presence groupPresence) {
        this.uidPresence = this.uidPresence.andThen(uidPresence);
        this.groupPresence = this.groupPresence.andThen(groupPresence);
    }

    public void add(Client client) {
        clients.put(client.id(), client);
    }

    /** Removes a closed connection and everything bound to it. Returns false if it was already gone. */
    public boolean remove(Client client) {
        synchronized (client) {
            if (!client.markClosed()) {
                return false;
            }
            clients.remove(client.id(), client);
            String uid = client.uid();
            if (uid != null) {
                removeFrom(uids, uid, client, uidPresence);
            }
            for (String group : client.groups()) {
                removeFrom(groups, group, client, groupPresence);
            }
        }
        return true;
    }

    public Client client(String clientId) {
        return clientId == null ? null : clients.get(clientId);
    }

    /** Binds the client to a uid, replacing any previous uid. False if the client is closed. */
    public boolean bind(Client client, String uid) {
        synchronized (client) {
            if (client.closed()) {
                return false;
            }
            String previous = client.uid();
            if (uid.equals(previous)) {
                return true;
            }
            if (previous != null) {
                removeFrom(uids, previous, client, uidPresence);
            }
            client.uid(uid);
            addTo(uids, uid, client, uidPresence);
            return true;
        }
    }

    public void unbind(Client client) {
        synchronized (client) {
            String previous = client.uid();
            if (previous != null) {
                removeFrom(uids, previous, client, uidPresence);
                client.uid(null);
            }
        }
    }

    public boolean join(Client client, String group) {
        synchronized (client) {
            if (client.closed()) {
                return false;
            }
            if (client.addGroup(group)) {
                addTo(groups, group, client, groupPresence);
            }
            return true;
        }
    }

    public void leave(Client client, String group) {
        synchronized (client) {
            if (client.removeGroup(group)) {
                removeFrom(groups, group, client, groupPresence);
            }
        }
    }

    /** Every member leaves the group; the members stay connected. */
    public void dissolve(String group) {
        for (Client member : clientsOfGroup(group)) {
            leave(member, group);
        }
    }

    public Collection<Client> clientsOfUid(String uid) {
        return snapshot(uids.get(uid));
    }

    public Collection<Client> clientsOfGroup(String group) {
        return snapshot(groups.get(group));
    }

    public Collection<Client> allClients() {
        return clients.values();
    }

    public boolean uidOnline(String uid) {
        return uids.containsKey(uid);
    }

    public boolean hasGroup(String group) {
        return groups.containsKey(group);
    }

    /** The distinct uids bound to members of the group, in no particular order. */
    public Set<String> uidsOfGroup(String group) {
        Set<String> result = new LinkedHashSet<>();
        for (Client member : clientsOfGroup(group)) {
            String uid = member.uid();
            if (uid != null) {
                result.add(uid);
            }
        }
        return result;
    }

    public List<String> groupNames() {
        return new ArrayList<>(groups.keySet());
    }

    public int clientCount() {
        return clients.size();
    }

    public List<String> uidNames() {
        return new ArrayList<>(uids.keySet());
    }

    public int uidCount() {
        return uids.size();
    }

    public int groupCount() {
        return groups.size();
    }

    private static void addTo(Map<String, Set<Client>> index, String key, Client client, Presence presence) {
        index.compute(key, (k, members) -> {
            if (members == null) {
                presence.changed(key, true);
                return Set.of(client);
            }
            if (members.contains(client)) {
                return members;
            }
            if (large(members)) {
                members.add(client);
                return members;
            }
            Set<Client> more = members.size() < SMALL ? new HashSet<>() : ConcurrentHashMap.newKeySet();
            more.addAll(members);
            more.add(client);
            return more.size() <= SMALL ? Set.copyOf(more) : more;
        });
    }

    private static void removeFrom(Map<String, Set<Client>> index, String key, Client client, Presence presence) {
        index.computeIfPresent(key, (k, members) -> {
            if (!members.contains(client)) {
                return members;
            }
            if (members.size() == 1) {
                presence.changed(key, false);
                return null;
            }
            if (large(members)) {
                members.remove(client); // a large set stays concurrent until its last member leaves
                return members;
            }
            Set<Client> fewer = new HashSet<>(members);
            fewer.remove(client);
            return Set.copyOf(fewer);
        });
    }

    private static boolean large(Set<Client> members) {
        return members instanceof ConcurrentHashMap.KeySetView<?, ?>;
    }

    /** A small set is immutable already; a large one may change while it is read. */
    private static Collection<Client> snapshot(Set<Client> members) {
        if (members == null) {
            return Collections.emptyList();
        }
        return large(members) ? List.copyOf(members) : members;
    }

    /** This node's connection gauges, registered at start. */
    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        metrics.gauge("herald_connections", "Clients connected to this node", this::clientCount);
        metrics.gauge("herald_bound_uids", "Distinct uids with clients on this node", this::uidCount);
        metrics.gauge("herald_groups", "Groups with members on this node", this::groupCount);
        metrics.gauge("herald_outbox_frames", "Frames waiting in the send queues of this node's clients", () -> {
            long frames = 0;
            for (Client client : allClients()) {
                frames += client.outbox().depth();
            }
            return frames;
        });
    }
}
