package io.herald.gateway;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.util.Collection;

/**
 * JSON-P, looked up once: {@code jakarta.json.Json}'s static methods search for the provider on every
 * call, which is too slow for a per-frame path.
 */
public final class JsonCodec {

    private static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonCodec() {
    }

    /** Parses JSON text; throws {@link jakarta.json.JsonException} when it is not valid JSON. */
    public static JsonValue parse(String text) {
        try (JsonReader reader = PROVIDER.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    public static JsonObjectBuilder object() {
        return PROVIDER.createObjectBuilder();
    }

    public static JsonObjectBuilder object(JsonObject start) {
        return PROVIDER.createObjectBuilder(start);
    }

    public static JsonArrayBuilder array() {
        return PROVIDER.createArrayBuilder();
    }

    public static JsonArrayBuilder array(Collection<String> strings) {
        JsonArrayBuilder array = PROVIDER.createArrayBuilder();
        strings.forEach(array::add);
        return array;
    }

    public static JsonValue string(String value) {
        return PROVIDER.createValue(value);
    }
}
