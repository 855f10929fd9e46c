package io.herald.it;

import io.herald.gateway.ClientClosed;
import io.herald.gateway.ClientConnected;
import io.herald.gateway.ClientMessage;
import io.herald.gateway.Gateway;
import io.herald.gateway.Clients;
import io.herald.gateway.Presence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * Deployed into the WAR by {@link CdiEventsIT}: an application bean that uses the in-process API.
 * <ul>
 *   <li>ClientConnected: sends the client {"event":"connected","clientId","uid"}.</li>
 *   <li>ClientMessage: by default echoes {"event":"echo","clientId","uid","session","data"} to the sender;
 *       data {"cmd":"bind","uid":u} binds the sender to u and answers through sendToUid with what the
 *       Gateway now reports; {"cmd":"join","group":g} joins g and answers through sendToGroup;
 *       {"cmd":"close"} closes the sender with a last message.</li>
 *   <li>ClientClosed: sends {"event":"closed","clientId","uid","closeCode"} to the group "watchers".</li>
 * </ul>
 * Failures are reported to the sender as {"event":"failure"} so a test sees them instead of timing out.
 */
@ApplicationScoped
public class GatewayEventsObserver {

    public static final String WATCHERS = "watchers";

    @Inject
    Gateway gateway;

    @Inject
    Presence presence;

    @Inject
    Clients clients;

    void onConnected(@ObservesAsync ClientConnected event) {
        gateway.sendToClient(event.clientId(), Json.createObjectBuilder()
                .add("event", "connected")
                .add("clientId", event.clientId())
                .add("uid", nullable(event.uid()))
                .build());
    }

    void onMessage(@ObservesAsync ClientMessage event) {
        try {
            handle(event);
        } catch (RuntimeException e) {
            gateway.sendToClient(event.clientId(), Json.createObjectBuilder()
                    .add("event", "failure")
                    .add("error", String.valueOf(e))
                    .build());
        }
    }

    private void handle(ClientMessage event) {
        JsonValue data = event.data();
        String cmd = data != null && data.getValueType() == JsonValue.ValueType.OBJECT
                ? data.asJsonObject().getString("cmd", "echo") : "echo";
        switch (cmd) {
            case "bind" -> {
                String uid = data.asJsonObject().getString("uid");
                clients.bindUid(event.clientId(), uid);
                JsonArrayBuilder ids = Json.createArrayBuilder();
                presence.clientIdsOfUid(uid).forEach(ids::add);
                gateway.sendToUid(uid, Json.createObjectBuilder()
                        .add("event", "bound")
                        .add("uidOf", nullable(presence.uidOf(event.clientId()).orElse(null)))
                        .add("online", presence.isOnline(event.clientId()))
                        .add("uidOnline", presence.isUidOnline(uid))
                        .add("clientIdsOfUid", ids)
                        .build());
            }
            case "join" -> {
                String group = data.asJsonObject().getString("group");
                clients.joinGroup(event.clientId(), group);
                gateway.sendToGroup(group, Json.createObjectBuilder()
                        .add("event", "joined")
                        .add("clientId", event.clientId())
                        .add("group", group)
                        .build(), List.of());
            }
            case "close" -> clients.closeClient(event.clientId(),
                    Json.createObjectBuilder().add("event", "bye").build());
            default -> {
                JsonObjectBuilder echo = Json.createObjectBuilder()
                        .add("event", "echo")
                        .add("clientId", event.clientId())
                        .add("uid", nullable(event.uid()))
                        .add("session", event.session() == null ? JsonValue.NULL : event.session())
                        .add("data", data == null ? JsonValue.NULL : data);
                gateway.sendToClient(event.clientId(), echo.build());
            }
        }
    }

    void onClosed(@ObservesAsync ClientClosed event) {
        JsonObject notice = Json.createObjectBuilder()
                .add("event", "closed")
                .add("clientId", event.clientId())
                .add("uid", nullable(event.uid()))
                .add("closeCode", event.closeCode())
                .build();
        gateway.sendToGroup(WATCHERS, notice, List.of());
    }

    private static JsonValue nullable(String s) {
        return s == null ? JsonValue.NULL : Json.createValue(s);
    }
}
