package io.herald.gateway;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Fired asynchronously (observe with {@code @ObservesAsync}) for every application message a client sends
 * ({@code {"type":"message","data":…}}). {@code uid} is the sender's bound uid at that moment, or null.
 */
public record ClientMessage(String clientId, String uid, JsonObject session, JsonValue data) {
}
