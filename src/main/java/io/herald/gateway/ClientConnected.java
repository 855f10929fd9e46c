package io.herald.gateway;

import jakarta.json.JsonObject;

/**
 * Fired asynchronously (observe with {@code @ObservesAsync}) after a client connected and received its
 * welcome. {@code uid} is null for an unbound client.
 */
public record ClientConnected(String clientId, String uid, JsonObject session) {
}
