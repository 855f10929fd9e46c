package io.herald.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The server's answer to one request, as the REST API would give it: the HTTP status and the body
 * ({@code null} for 204).
 */
public record Answer(int status, JsonValue body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The body as an object; an empty object when there is none. */
    public JsonObject object() {
        if (body == null) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        return body.asJsonObject();
    }

    /** This answer if it is a success, else the server's error as a {@link HeraldException}. */
    Answer orThrow() {
        if (!ok()) {
            throw HeraldException.of(this);
        }
        return this;
    }
}
