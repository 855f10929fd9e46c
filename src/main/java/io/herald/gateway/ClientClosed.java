package io.herald.gateway;

import jakarta.json.JsonObject;

/**
 * Fired asynchronously (observe with {@code @ObservesAsync}) after a client's connection closed, with
 * the uid and session it had. {@code closeCode} is the WebSocket close code.
 */
public record ClientClosed(String clientId, String uid, JsonObject session, int closeCode) {
}
