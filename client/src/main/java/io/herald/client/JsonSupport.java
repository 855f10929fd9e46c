package io.herald.client;

import jakarta.json.spi.JsonProvider;

/**
 * The JSON-P provider, looked up once: {@code jakarta.json.Json}'s static methods look the provider up again
 * on every call (a service loader scan), which costs more than building a small request.
 */
final class JsonSupport {

    static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonSupport() {
    }
}
