package io.herald.routing;

import io.herald.core.JsonCodec;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** Server-to-client frames (PROTOCOL.md, "Frames"), encoded once and shared by every recipient. */
public final class Frames {

    public static final String PING = "{\"type\":\"ping\"}";
    public static final String PONG = "{\"type\":\"pong\"}";

    private Frames() {
    }

    public static String welcome(String clientId, String uid, long heartbeatIntervalMillis,
                                 long heartbeatTimeoutMillis) {
        JsonObjectBuilder welcome = JsonCodec.object()
                .add("type", "welcome")
                .add("clientId", clientId);
        if (uid == null) {
            welcome.addNull("uid");
        } else {
            welcome.add("uid", uid);
        }
        return welcome.add("heartbeat", JsonCodec.object()
                        .add("interval", heartbeatIntervalMillis)
                        .add("timeout", heartbeatTimeoutMillis))
                .build().toString();
    }

    /** A message frame. Message ids hold only [0-9a-z:], so they need no escaping. */
    public static String message(String id, JsonValue data) {
        String json = data.toString();
        return new StringBuilder(json.length() + id.length() + 40)
                .append("{\"type\":\"message\",\"id\":\"").append(id)
                .append("\",\"data\":").append(json).append('}')
                .toString();
    }

    /** A client's message relayed to others: {@code from} is the sender's uid, {@code to} as it addressed them. */
    public static String relayed(String id, String from, JsonObject to, JsonValue data) {
        return JsonCodec.object()
                .add("type", "message")
                .add("id", id)
                .add("from", from)
                .add("to", to)
                .add("data", data)
                .build().toString();
    }

    /** A durable message: its seq in the uid's stream; {@code data} is already JSON text. */
    public static String durableMessage(String id, long seq, String data) {
        return new StringBuilder(data.length() + id.length() + 56)
                .append("{\"type\":\"message\",\"id\":\"").append(id)
                .append("\",\"seq\":").append(seq)
                .append(",\"data\":").append(data).append('}')
                .toString();
    }

    /**
     * Announces a replay: the messages after {@code since} follow, up to {@code seq} (then live ones).
     * {@code lost} is null when the client's position was recovered, else why it could not be
     * ("expired", "epoch", "ahead"); {@code oldest} is the oldest seq still stored.
     */
    public static String replay(String uid, String epoch, long since, long seq, String lost, long oldest) {
        JsonObjectBuilder replay = JsonCodec.object().add("type", "replay").add("uid", uid);
        if (epoch == null) {
            replay.addNull("epoch");
        } else {
            replay.add("epoch", epoch);
        }
        replay.add("since", since);
        if (seq >= 0) {
            replay.add("seq", seq);
        }
        replay.add("recovered", lost == null);
        if (lost != null) {
            replay.add("reason", lost).add("oldest", oldest);
        }
        return replay.build().toString();
    }

    public static String error(String code, String message) {
        return JsonCodec.object()
                .add("type", "error")
                .add("code", code)
                .add("message", message)
                .build().toString();
    }
}
