package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Small helpers to build, read and compare JSON values in tests. */
public final class JsonSupport {

    private JsonSupport() {
    }

    /** An object from alternating keys and values; values go through {@link #value(Object)}. */
    public static JsonObject obj(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        JsonObjectBuilder b = Json.createObjectBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.add((String) keysAndValues[i], value(keysAndValues[i + 1]));
        }
        return b.build();
    }

    public static JsonArray arr(Object... items) {
        JsonArrayBuilder b = Json.createArrayBuilder();
        for (Object item : items) {
            b.add(value(item));
        }
        return b.build();
    }

    /** Converts plain Java values (String, Number, Boolean, null, Collection, Map, JsonValue) to JSON. */
    public static JsonValue value(Object o) {
        if (o == null) {
            return JsonValue.NULL;
        }
        if (o instanceof JsonValue v) {
            return v;
        }
        if (o instanceof String s) {
            return Json.createValue(s);
        }
        if (o instanceof Boolean b) {
            return b ? JsonValue.TRUE : JsonValue.FALSE;
        }
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return Json.createValue(((Number) o).longValue());
        }
        if (o instanceof BigInteger n) {
            return Json.createValue(n);
        }
        if (o instanceof BigDecimal n) {
            return Json.createValue(n);
        }
        if (o instanceof Number n) {
            return Json.createValue(n.doubleValue());
        }
        if (o instanceof Collection<?> c) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            c.forEach(item -> b.add(value(item)));
            return b.build();
        }
        if (o instanceof Map<?, ?> m) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            m.forEach((k, v) -> b.add(String.valueOf(k), value(v)));
            return b.build();
        }
        throw new IllegalArgumentException("no JSON form for " + o.getClass());
    }

    /** Parses any JSON value; throws on malformed text. */
    public static JsonValue parse(String text) {
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            return r.readValue();
        }
    }

    public static String text(JsonValue v) {
        return v.toString();
    }

    /** The strings of a JSON array of strings. */
    public static List<String> strings(JsonValue array) {
        if (array == null || array.getValueType() != JsonValue.ValueType.ARRAY) {
            fail("expected a JSON array of strings, got " + array);
        }
        List<String> out = new ArrayList<>();
        for (JsonValue v : array.asJsonArray()) {
            if (!(v instanceof JsonString s)) {
                fail("expected a JSON array of strings, got " + array);
                return out;
            }
            out.add(s.getString());
        }
        return out;
    }

    /** JSON equality where numbers compare by value (1.50 equals 1.5) and object key order is ignored. */
    public static boolean jsonEquals(JsonValue a, JsonValue b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getValueType() != b.getValueType()) {
            return false;
        }
        switch (a.getValueType()) {
            case NUMBER:
                return ((JsonNumber) a).bigDecimalValue().compareTo(((JsonNumber) b).bigDecimalValue()) == 0;
            case STRING:
                return ((JsonString) a).getString().equals(((JsonString) b).getString());
            case ARRAY: {
                JsonArray x = a.asJsonArray();
                JsonArray y = b.asJsonArray();
                if (x.size() != y.size()) {
                    return false;
                }
                for (int i = 0; i < x.size(); i++) {
                    if (!jsonEquals(x.get(i), y.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            case OBJECT: {
                JsonObject x = a.asJsonObject();
                JsonObject y = b.asJsonObject();
                if (!x.keySet().equals(y.keySet())) {
                    return false;
                }
                for (String k : x.keySet()) {
                    if (!jsonEquals(x.get(k), y.get(k))) {
                        return false;
                    }
                }
                return true;
            }
            default:
                return true; // TRUE, FALSE, NULL: same value type means same value
        }
    }

    public static void assertJsonEquals(JsonValue expected, JsonValue actual) {
        assertJsonEquals(expected, actual, null);
    }

    public static void assertJsonEquals(JsonValue expected, JsonValue actual, String what) {
        if (!jsonEquals(expected, actual)) {
            fail((what == null ? "" : what + ": ") + "expected JSON " + expected + " but was " + actual);
        }
    }
}
