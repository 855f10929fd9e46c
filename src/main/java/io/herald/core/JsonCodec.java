package io.herald.core;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;

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

    /**
     * Parses JSON text that Herald wrote itself (stored messages, sessions); throws
     * {@link JsonException} when it is not valid JSON. Text from outside goes through {@link #parseInput}.
     */
    public static JsonValue parse(String text) {
        try (JsonReader reader = PROVIDER.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    /**
     * Parses JSON text from an outsider (a client's frame, a request body) within {@link JsonLimits}, and
     * rejects anything after the value. Every failure, whatever the JSON-P implementation throws, is a
     * {@link JsonException} with a message in Herald's words that may be shown to the sender.
     */
    public static JsonValue parseInput(String text) {
        JsonLimits.check(text);
        try (JsonParser parser = PROVIDER.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new JsonException("no JSON value");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (more(parser)) {
                throw new JsonException("data after the JSON value");
            }
            return value;
        } catch (JsonParsingException e) {
            throw new JsonException("not valid JSON (at character " + (e.getLocation().getStreamOffset() + 1) + ")");
        } catch (JsonException e) {
            throw e.getClass() == JsonException.class ? e : new JsonException("not valid JSON");
        } catch (RuntimeException e) {
            // JSON-P implementations throw more than JsonException on odd input (numbers, nesting).
            throw new JsonException("not valid JSON");
        }
    }

    private static boolean more(JsonParser parser) {
        try {
            return parser.hasNext();
        } catch (RuntimeException e) {
            return true; // a token that is not the end: something follows the value
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
