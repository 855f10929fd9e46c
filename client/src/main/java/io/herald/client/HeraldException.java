package io.herald.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A request that failed: the server's error ({@code status} and {@code code} as the REST API gives them, e.g.
 * 403 {@code forbidden}), or a failure of the client itself, which has {@code status} 0 and one of the codes
 * named here as constants.
 */
public class HeraldException extends RuntimeException {

    /** The request queue is full (see {@link QueueFullException}). */
    public static final String QUEUE_FULL = "queue_full";
    /** One request is larger than {@code maxFrameBytes}: it was never sent. */
    public static final String REQUEST_TOO_LARGE = "request_too_large";
    /** A {@code String} data argument is not JSON text: nothing was sent. */
    public static final String BAD_JSON = "bad_json";
    /** The connection broke while the request was in flight, and it is not one that is re-sent. */
    public static final String CONNECTION_LOST = "connection_lost";
    /** No answer within {@code requestTimeout}; the server may still have done it. */
    public static final String TIMEOUT = "timeout";
    /** The client was closed before the request was answered. */
    public static final String CLIENT_CLOSED = "client_closed";

    private final int status;
    private final String code;

    public HeraldException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public HeraldException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    /** The server's error answer ({@code {"status","code","message"}}) as an exception. */
    static HeraldException of(Answer answer) {
        JsonValue body = answer.body();
        String code = "http_" + answer.status();
        String message = "the server answered " + answer.status();
        if (body != null && body.getValueType() == JsonValue.ValueType.OBJECT) {
            JsonObject error = body.asJsonObject();
            if (error.get("code") instanceof JsonString c) {
                code = c.getString();
            }
            if (error.get("message") instanceof JsonString m) {
                message = m.getString();
            }
        }
        return new HeraldException(answer.status(), code, answer.status() + " " + code + ": " + message);
    }

    /** The HTTP status the server answered, or 0 when the client failed the request itself. */
    public int status() {
        return status;
    }

    /** The server's error code (e.g. {@code forbidden}, {@code bad_uid}), or one of this class's constants. */
    public String code() {
        return code;
    }
}
