package io.herald.api;

import io.herald.security.ApiSettings;
import io.herald.core.HeraldException;
import io.herald.core.JsonCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads request bodies with Herald's own limit and error codes: resources take the raw stream so that an
 * oversized or malformed body gets the documented 413 / 400 on every JAX-RS runtime alike. A body that
 * declares its length is refused before this by {@link BodyLimitFilter}; one without (chunked) is cut here
 * after one byte over the limit. The JSON is parsed within {@link io.herald.core.JsonLimits}.
 */
@ApplicationScoped
public class Bodies {

    private static final Logger LOG = Logger.getLogger(Bodies.class.getName());

    @Inject
    ApiSettings settings;

    /** The body as a JSON object; 400 bad_json if it is not one. */
    public JsonObject object(InputStream body) {
        JsonObject object = optionalObject(body);
        if (object == null) {
            throw HeraldException.badRequest("bad_json", "a JSON object body is required");
        }
        return object;
    }

    /** The body as a JSON object, or null when the body is empty. */
    public JsonObject optionalObject(InputStream body) {
        String text = read(body).strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonValue value;
        try {
            value = JsonCodec.parseInput(text);
        } catch (JsonException e) {
            // parseInput's messages are Herald's own (which limit, or where the syntax broke): safe to show
            throw HeraldException.badRequest("bad_json", "the body is not acceptable JSON: " + e.getMessage());
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw HeraldException.badRequest("bad_json", "the body must be a JSON object");
        }
        return value.asJsonObject();
    }

    /** A list of strings from an optional array field; 400 bad_request if it is anything else. */
    public static List<String> strings(JsonObject object, String field) {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return List.of();
        }
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw HeraldException.badRequest("bad_request", "\"" + field + "\" must be an array of strings");
        }
        JsonArray array = value.asJsonArray();
        List<String> strings = new ArrayList<>(array.size());
        for (JsonValue element : array) {
            if (!(element instanceof JsonString string)) {
                throw HeraldException.badRequest("bad_request", "\"" + field + "\" must be an array of strings");
            }
            strings.add(string.getString());
        }
        return strings;
    }

    /** A required string field. */
    public static String string(JsonObject object, String field) {
        if (!(object.get(field) instanceof JsonString string)) {
            throw HeraldException.badRequest("bad_request", "\"" + field + "\" (a string) is required");
        }
        return string.getString();
    }

    /** An optional boolean field. */
    public static boolean flag(JsonObject object, String field, boolean otherwise) {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return otherwise;
        }
        if (value.getValueType() == JsonValue.ValueType.TRUE) {
            return true;
        }
        if (value.getValueType() == JsonValue.ValueType.FALSE) {
            return false;
        }
        throw HeraldException.badRequest("bad_request", "\"" + field + "\" must be true or false");
    }

    /** A whole number from a query parameter, within bounds; 400 bad_request otherwise. */
    public static long number(String name, String text, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw HeraldException.badRequest("bad_request", name + " must be a whole number from " + min + " to " + max);
    }

    /** The required {@code data} field: any JSON value, null included. */
    public static JsonValue data(JsonObject object) {
        JsonValue data = object.get("data");
        if (data == null) {
            throw HeraldException.badRequest("bad_request", "\"data\" is required (any JSON value)");
        }
        return data;
    }

    private String read(InputStream body) {
        if (body == null) {
            return "";
        }
        int limit = settings.maxBodyBytes();
        try {
            // Grows from a small buffer: most pushes are a few hundred bytes, and InputStream.readNBytes
            // would allocate an 8 KiB chunk per request first.
            byte[] bytes = new byte[Math.min(limit + 1, 512)];
            int length = 0;
            int read;
            while ((read = body.read(bytes, length, bytes.length - length)) >= 0) {
                length += read;
                if (length > limit) {
                    throw new BodyTooLarge(limit);
                }
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit + 1L, 2L * bytes.length));
                }
            }
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The sender broke the body's framing or dropped the connection: its fault, not the server's, so
            // a 400 rather than a 500 with a stack trace in the log for each such request.
            LOG.log(Level.FINE, "reading a request body failed", e);
            throw HeraldException.badRequest("bad_request",
                    "the body could not be read to its end (broken framing, or the connection failed)");
        }
    }
}
