package io.herald.gateway;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Fired asynchronously (observe with {@code @ObservesAsync}) for every application message a client sends:
 * {@code {"type":"message","data":…}}, and {@code {"type":"send","to":…,"data":…}} addressed to other
 * clients. {@code uid} is the sender's bound uid at that moment, or null. For a send, {@code to} is its
 * target ({@code {"uid":…}} or {@code {"group":…}}) and {@code relayed} says whether Herald delivered it
 * under {@code herald.relay.policy}; for a plain message {@code to} is null and {@code relayed} false.
 */
public record ClientMessage(String clientId, String uid, JsonObject session, JsonValue data, JsonObject to,
                            boolean relayed) {

    /** A plain application message, for the server alone. */
    public ClientMessage(String clientId, String uid, JsonObject session, JsonValue data) {
        this(clientId, uid, session, data, null, false);
    }
}
