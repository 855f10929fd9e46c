package io.herald.client;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The Gateway's operations as {@link Call}s, with the REST API's paths and bodies. Durable pushes get an
 * idempotency key here when the caller gave none: that is what makes re-sending them after a reconnect safe.
 */
final class Calls {

    private final Supplier<String> keys;

    Calls() {
        this(() -> "hc-" + UUID.randomUUID());
    }

    Calls(Supplier<String> keys) {
        this.keys = keys;
    }

    Call pushToClient(String clientId, JsonValue data) {
        return post("/clients/" + seg(clientId) + "/messages", JsonSupport.PROVIDER.createObjectBuilder().add("data", data), null, false);
    }

    Call pushToUid(String uid, JsonValue data, Push push) {
        JsonObjectBuilder body = JsonSupport.PROVIDER.createObjectBuilder().add("data", data);
        if (!push.isDurable()) {
            body.add("durable", false);
            return post("/uids/" + seg(uid) + "/messages", body, null, false);
        }
        return post("/uids/" + seg(uid) + "/messages", body, keyOr(push.idempotencyKey()), true);
    }

    Call pushToGroup(String group, JsonValue data, List<String> exclude) {
        return post("/groups/" + seg(group) + "/messages", withExclude(data, exclude), null, false);
    }

    Call broadcast(JsonValue data, List<String> exclude) {
        return post("/broadcast", withExclude(data, exclude), null, false);
    }

    Call push(Recipients to, JsonValue data, Push push, List<String> exclude) {
        JsonObjectBuilder body = withExclude(data, exclude).add("to", JsonSupport.PROVIDER.createObjectBuilder()
                .add("clients", strings(to.clients()))
                .add("uids", strings(to.uids()))
                .add("groups", strings(to.groups())));
        if (!push.isDurable()) {
            body.add("durable", false);
        }
        // The key matters only where something is stored: a durable push that names uids.
        boolean stored = push.isDurable() && !to.uids().isEmpty();
        return post("/messages", body, stored ? keyOr(push.idempotencyKey()) : push.idempotencyKey(), stored);
    }

    Call pushBatch(List<UidMessage> messages, boolean durable) {
        JsonArrayBuilder list = JsonSupport.PROVIDER.createArrayBuilder();
        for (UidMessage message : messages) {
            JsonObjectBuilder entry = JsonSupport.PROVIDER.createObjectBuilder().add("uid", message.uid()).add("data", message.data());
            // A batch takes its keys per message (the header is refused); every stored one needs its own.
            String key = durable ? keyOr(message.idempotencyKey()) : message.idempotencyKey();
            if (key != null) {
                entry.add("idempotencyKey", key);
            }
            list.add(entry);
        }
        JsonObjectBuilder body = JsonSupport.PROVIDER.createObjectBuilder().add("messages", list);
        if (!durable) {
            body.add("durable", false);
        }
        return post("/messages/batch", body, null, durable);
    }

    Call bindUid(String clientId, String uid) {
        return write("PUT", "/clients/" + seg(clientId) + "/uid", JsonSupport.PROVIDER.createObjectBuilder().add("uid", uid).build());
    }

    Call unbindUid(String clientId) {
        return write("DELETE", "/clients/" + seg(clientId) + "/uid", null);
    }

    Call joinGroup(String group, String clientId) {
        return write("PUT", "/groups/" + seg(group) + "/clients/" + seg(clientId), null);
    }

    Call leaveGroup(String group, String clientId) {
        return write("DELETE", "/groups/" + seg(group) + "/clients/" + seg(clientId), null);
    }

    Call ungroup(String group) {
        return write("DELETE", "/groups/" + seg(group), null);
    }

    Call setSession(String clientId, JsonObject session) {
        return write("PUT", "/clients/" + seg(clientId) + "/session", session);
    }

    Call mergeSession(String clientId, JsonObject changes) {
        return write("PATCH", "/clients/" + seg(clientId) + "/session", changes);
    }

    Call closeClient(String clientId, JsonValue lastData) {
        return write("DELETE", "/clients/" + seg(clientId),
                lastData == null ? null : JsonSupport.PROVIDER.createObjectBuilder().add("data", lastData).build());
    }

    Call closeUid(String uid) {
        return write("DELETE", "/uids/" + seg(uid) + "/clients", null);
    }

    Call get(String path) {
        return new Call("GET", path, null, null, true);
    }

    static String seg(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query string from name, value pairs; a null value is left out. */
    static String query(Object... namesAndValues) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                query.append(query.length() == 0 ? '?' : '&').append(namesAndValues[i]).append('=')
                        .append(seg(namesAndValues[i + 1].toString()));
            }
        }
        return query.toString();
    }

    private String keyOr(String given) {
        return given != null ? given : keys.get();
    }

    private static Call post(String path, JsonObjectBuilder body, String key, boolean resendable) {
        return new Call("POST", path, body.build(), key, resendable);
    }

    /** Changes of state (binding, groups, sessions, closing) are not re-sent: a repeat could answer differently. */
    private static Call write(String method, String path, JsonObject body) {
        return new Call(method, path, body, null, false);
    }

    private static JsonObjectBuilder withExclude(JsonValue data, List<String> exclude) {
        JsonObjectBuilder body = JsonSupport.PROVIDER.createObjectBuilder().add("data", data);
        if (exclude != null && !exclude.isEmpty()) {
            body.add("exclude", strings(exclude));
        }
        return body;
    }

    private static JsonArrayBuilder strings(List<String> values) {
        JsonArrayBuilder array = JsonSupport.PROVIDER.createArrayBuilder();
        values.forEach(array::add);
        return array;
    }
}
