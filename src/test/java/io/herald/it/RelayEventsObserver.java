package io.herald.it;

import io.herald.gateway.ClientMessage;
import io.herald.gateway.Gateway;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * Deployed into the WAR by {@link RelayIT}: reports every {@code send} frame's {@link ClientMessage} event
 * ({"event":"send","clientId","uid","to","relayed","data"}) to the group "relay-watchers", so that a test
 * sees what the application was told.
 */
@ApplicationScoped
public class RelayEventsObserver {

    public static final String WATCHERS = "relay-watchers";

    @Inject
    Gateway gateway;

    void onMessage(@ObservesAsync ClientMessage event) {
        if (event.to() == null) {
            return;
        }
        gateway.sendToGroup(WATCHERS, Json.createObjectBuilder()
                .add("event", "send")
                .add("clientId", event.clientId())
                .add("uid", event.uid() == null ? JsonValue.NULL : Json.createValue(event.uid()))
                .add("to", event.to())
                .add("relayed", event.relayed())
                .add("data", event.data())
                .build(), List.of());
    }
}
