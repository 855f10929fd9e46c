package io.herald.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;

/** What the builder gathered, checked. */
record Settings(URI uri, String apiKey, Duration connectTimeout, Duration requestTimeout, Duration closeTimeout,
                int maxQueuedRequests, long maxQueuedBytes, int maxInFlight, int maxFrameBytes,
                int maxRequestsPerFrame, Duration backoffBase, Duration backoffCap, Duration pingInterval, Executor executor,
                HttpClient httpClient) {

    Settings {
        if (uri == null) {
            throw new IllegalArgumentException("uri is required");
        }
        if (apiKey == null || apiKey.isEmpty()) {
            throw new IllegalArgumentException("apiKey is required");
        }
        positive("maxQueuedRequests", maxQueuedRequests);
        positive("maxQueuedBytes", maxQueuedBytes);
        positive("maxInFlight", maxInFlight);
        positive("maxFrameBytes", maxFrameBytes);
        positive("maxRequestsPerFrame", maxRequestsPerFrame);
        positive("connectTimeout", connectTimeout.toMillis());
        positive("requestTimeout", requestTimeout.toMillis());
        if (pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must not be negative, got " + pingInterval);
        }
        uri = endpoint(uri);
    }

    /**
     * The channel's WebSocket address: {@code ws(s)://host/context/api/ws} as given, or derived from the
     * deployment's base URL ({@code http://host:8080/herald/}), which is what a backend has configured for REST.
     */
    static URI endpoint(URI given) {
        String scheme = given.getScheme();
        if ("ws".equals(scheme) || "wss".equals(scheme)) {
            return given;
        }
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("uri must be ws://, wss://, http:// or https://, got " + given);
        }
        String text = given.toString();
        text = (scheme.equals("http") ? "ws" : "wss") + text.substring(scheme.length());
        if (text.endsWith("/api/ws")) {
            return URI.create(text);
        }
        if (!text.endsWith("/")) {
            text += "/";
        }
        return URI.create(text + (text.endsWith("/api/") ? "ws" : "api/ws"));
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
