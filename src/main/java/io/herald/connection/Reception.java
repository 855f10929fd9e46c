package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.delivery.Deliveries;
import io.herald.gateway.ClientClosed;
import io.herald.gateway.ClientConnected;
import io.herald.gateway.ClientEvents;
import io.herald.metrics.Metrics;
import io.herald.routing.Client;
import io.herald.routing.Frames;
import io.herald.routing.Registry;
import io.herald.security.Guard;
import io.herald.security.Guards;
import io.herald.security.Identity;
import io.herald.security.Relay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What both doors, the WebSocket ({@link Endpoint}) and the event stream ({@link EventStream}), do alike:
 * let a new client in, read its frames (through its {@link Inbox}), and see it out.
 */
@ApplicationScoped
public class Reception {

    @Inject
    ConnectionSettings settings;

    @Inject
    Registry registry;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Inject
    Deliveries deliveries;

    @Inject
    ClientEvents events;

    @Inject
    Guards guards;

    @Inject
    Relay relay;

    @Inject
    Drain drain;

    /**
     * Lets in a client whose outbox is held: queues the welcome first, so that it precedes anything sent
     * once the client is visible; sending starts only once the client is registered, so that its clientId
     * works at once. {@code uid} is the token's or the development-mode one, or null.
     */
    Inbox open(Client client, Identity identity, String uid, Long since, String epoch, String postPath) {
        client.send(Frames.welcome(client.id(), uid, settings.heartbeatIntervalMillis(),
                settings.heartbeatTimeoutMillis(), postPath));
        registry.add(client);
        if (uid != null) {
            registry.bind(client, uid);
            deliveries.attach(client, uid, since, epoch);
        }
        Guard guard = guards.opened(client, identity);
        deliveries.joined(client, client.groups()); // the token's groups
        client.outbox().release();
        drain.opened(client);
        events.connected(new ClientConnected(client.id(), client.uid(), client.session()));
        return new Inbox(this, client, guard);
    }

    /** The client's connection has ended, with this close code. */
    void closed(Client client, int code) {
        client.outbox().discard();
        deliveries.detach(client);
        registry.remove(client);
        events.closed(new ClientClosed(client.id(), client.uid(), client.session(), code));
    }
}
