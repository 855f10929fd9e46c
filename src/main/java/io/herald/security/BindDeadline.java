package io.herald.security;

import io.herald.background.Timers;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.TimeUnit;

/**
 * Closes (4103) an anonymous client that is still not bound to a uid
 * {@code herald.anonymous.bind-timeout-seconds} after it connected (GatewayWorker's "close
 * unauthenticated connections"): an unbound connection costs memory and serves no one.
 */
@ApplicationScoped
public class BindDeadline {

    @Inject
    SecuritySettings security;

    @Inject
    Registry registry;

    @Inject
    Timers timers;

    /** Not scheduled once the application stops: its drain closes the client anyway. */
    public void start(Client client) {
        timers.after("an anonymous client's bind deadline",
                TimeUnit.SECONDS.toMillis(security.anonymousBindTimeoutSeconds()), () -> expire(client));
    }

    private void expire(Client client) {
        // Under the client's lock, as binds are: a bind cannot slip between the check and the removal.
        synchronized (client) {
            if (client.uid() != null || !registry.remove(client)) {
                return;
            }
        }
        client.outbox().closeNow(CloseCodes.BIND_TIMEOUT.reason());
    }
}
