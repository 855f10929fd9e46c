package io.herald.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Inject;
import java.util.function.Consumer;

/**
 * Where what clients do leaves Herald: {@link ClientConnected}, {@link ClientClosed} and
 * {@link ClientMessage}, to the application's {@code @ObservesAsync} observers, and the first two to
 * Herald's own listener (the webhooks, when they report clients).
 *
 * <p>An asynchronous event costs a task on the container's executor even when no one observes it (on
 * Payara, also a context capture that looks through every jar of the server): two per connection and one
 * per message from a client. So each type is fired only if an asynchronous observer of it is deployed,
 * which the container knows once the application has started (until then, every event is fired).
 */
@ApplicationScoped
public class ClientEvents {

    @Inject
    Event<ClientConnected> connected;

    @Inject
    Event<ClientClosed> closed;

    @Inject
    Event<ClientMessage> messages;

    @Inject
    BeanManager beans;

    private volatile boolean connectedObserved = true;
    private volatile boolean closedObserved = true;
    private volatile boolean messagesObserved = true;
    private volatile Consumer<ClientConnected> onConnected = event -> { };
    private volatile Consumer<ClientClosed> onClosed = event -> { };

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        connectedObserved = observedAsync(new ClientConnected("", null, null));
        closedObserved = observedAsync(new ClientClosed("", null, null, 0));
        messagesObserved = observedAsync(new ClientMessage("", null, null, null));
    }

    private boolean observedAsync(Object sample) {
        return beans.resolveObserverMethods(sample).stream().anyMatch(ObserverMethod::isAsync);
    }

    /**
     * Herald's own listener, called on the connection's thread as each client connects or closes: it must
     * be quick and must not wait.
     */
    public void listen(Consumer<ClientConnected> connectedListener, Consumer<ClientClosed> closedListener) {
        onConnected = connectedListener;
        onClosed = closedListener;
    }

    public void connected(ClientConnected event) {
        onConnected.accept(event);
        if (connectedObserved) {
            connected.fireAsync(event);
        }
    }

    public void closed(ClientClosed event) {
        onClosed.accept(event);
        if (closedObserved) {
            closed.fireAsync(event);
        }
    }

    public void message(ClientMessage event) {
        if (messagesObserved) {
            messages.fireAsync(event);
        }
    }
}
