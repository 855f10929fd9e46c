package io.herald.security;

import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.delivery.Deliveries;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;

/**
 * At most {@code herald.limits.clients-per-uid} clients of one uid on this node, for clients that name
 * their uid when they connect (token or development {@code ?uid=}). With the policy {@code close-oldest}
 * (default) a new client is accepted and the oldest of the uid is closed (4101); with {@code refuse-new}
 * the handshake is refused (429) and a newcomer that slipped past the check in a race is closed (4102).
 * Binds made by the backend (REST, CDI) are trusted and not limited.
 */
@ApplicationScoped
public class UidLimit {

    private static final Comparator<Client> OLDEST_FIRST =
            Comparator.comparingLong(Client::connectedAt).thenComparing(Client::id);

    @Inject
    LimitSettings limits;

    @Inject
    Registry registry;

    @Inject
    Deliveries deliveries;

    /** Before the upgrade: refuses a client of a uid that is full, under {@code refuse-new}. */
    public void check(String uid) throws HandshakeRefusal {
        int max = limits.clientsPerUid();
        if (max > 0 && refuseNew() && registry.clientsOfUid(uid).size() >= max) {
            throw new HandshakeRefusal(Refusal.TOO_MANY_CLIENTS, "the uid has " + max
                    + " clients already (herald.limits.clients-per-uid)");
        }
    }

    /** After a newcomer was bound to the uid: brings the uid back to its limit. */
    public void enforce(Client newcomer, String uid) {
        int max = limits.clientsPerUid();
        if (max <= 0) {
            return;
        }
        boolean refuseNew = refuseNew();
        // Each round removes one client from the uid's index (or finds it gone), so this ends.
        for (int round = 0; round < 10_000; round++) {
            var clients = registry.clientsOfUid(uid);
            if (clients.size() <= max) {
                return;
            }
            if (refuseNew) {
                close(newcomer, CloseCodes.TOO_MANY_CLIENTS);
                return;
            }
            clients.stream().filter(client -> client != newcomer).min(OLDEST_FIRST)
                    .ifPresent(oldest -> close(oldest, CloseCodes.REPLACED));
        }
    }

    private boolean refuseNew() {
        return limits.clientsPerUidPolicy() == LimitSettings.UidPolicy.REFUSE_NEW;
    }

    private void close(Client client, CloseCodes code) {
        client.outbox().closeAfterDrain(code.reason());
        deliveries.detach(client);
        registry.remove(client);
    }
}
