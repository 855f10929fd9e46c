package io.herald.api;

import io.herald.core.HeraldException;
import io.herald.gateway.UidMessage;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /api/messages/batch}:
 * {@code {"messages": [{"uid", "data", "idempotencyKey"?}, …], "durable": true}}. Reads its shape, naming
 * a bad entry by its index; the names and keys themselves are checked by the Gateway.
 */
record BatchBody(List<UidMessage> messages, boolean durable) {

    static BatchBody parse(JsonObject body, int maxMessages) {
        JsonValue value = body.get("messages");
        if (value == null || value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw HeraldException.badRequest("bad_request",
                    "\"messages\" is required: [{\"uid\": …, \"data\": …}, …]");
        }
        JsonArray entries = value.asJsonArray();
        if (entries.isEmpty()) {
            throw HeraldException.badRequest("bad_request", "\"messages\" is empty: at least one message is required");
        }
        if (entries.size() > maxMessages) {
            throw new HeraldException(413, "batch_too_large", entries.size() + " messages in one batch; at most "
                    + maxMessages + " (herald.api.max-batch-messages)");
        }
        boolean durable = Bodies.flag(body, "durable", true);
        List<UidMessage> messages = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            messages.add(entry(entries.get(i), i));
        }
        return new BatchBody(messages, durable);
    }

    private static UidMessage entry(JsonValue value, int index) {
        String name = "messages[" + index + "]";
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw HeraldException.badRequest("bad_request", name + " must be an object {\"uid\": …, \"data\": …}");
        }
        JsonObject entry = value.asJsonObject();
        if (!(entry.get("uid") instanceof JsonString uid)) {
            throw HeraldException.badRequest("bad_request", name + ".uid (a string) is required");
        }
        JsonValue data = entry.get("data");
        if (data == null) {
            throw HeraldException.badRequest("bad_request", name + ".data is required (any JSON value)");
        }
        JsonValue key = entry.get("idempotencyKey");
        String idempotencyKey = null;
        if (key instanceof JsonString text) {
            idempotencyKey = text.getString();
        } else if (key != null && key.getValueType() != JsonValue.ValueType.NULL) {
            throw HeraldException.badRequest("bad_request", name + ".idempotencyKey must be a string");
        }
        return new UidMessage(uid.getString(), data, idempotencyKey);
    }
}
