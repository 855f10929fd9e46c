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

    /** The first frame; {@code post} is where an event stream's client posts its frames (null on a WebSocket). */
    public static String welcome(String clientId, String uid, long heartbeatIntervalMillis,
                                 long heartbeatTimeoutMillis, String post) {
        // Written out rather than built: one is made per connect. Every value is a name, a client id or a
        // path made of them, which need no escaping.
        StringBuilder welcome = new StringBuilder(128).append("{\"type\":\"welcome\",\"clientId\":\"")
                .append(clientId).append("\",\"uid\":");
        quotedOrNull(welcome, uid)
                .append(",\"heartbeat\":{\"interval\":").append(heartbeatIntervalMillis)
                .append(",\"timeout\":").append(heartbeatTimeoutMillis).append('}');
        if (post != null) {
            welcome.append(",\"post\":\"").append(post).append('"');
        }
        return welcome.append('}').toString();
    }

    private static StringBuilder quotedOrNull(StringBuilder json, String text) {
        return text == null ? json.append("null") : json.append('"').append(text).append('"');
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
     * A durable group message: its seq in the group's stream. {@code group} before {@code seq}, so that
     * {@link #durableSeq} (the uid stream's position, an event stream's event id) does not read it. Group
     * names hold only name characters, which need no escaping.
     */
    public static String groupMessage(String id, String group, long seq, String data) {
        return new StringBuilder(data.length() + id.length() + group.length() + 68)
                .append("{\"type\":\"message\",\"id\":\"").append(id)
                .append("\",\"group\":\"").append(group)
                .append("\",\"seq\":").append(seq)
                .append(",\"data\":").append(data).append('}')
                .toString();
    }

    /**
     * Announces a replay of a stream, {@code kind} "uid" or "group" with its {@code name}: the messages
     * after {@code since} follow, up to {@code seq} (then live ones). {@code lost} is null when the
     * client's position was recovered, else why it could not be ("expired", "epoch", "ahead");
     * {@code oldest} is the oldest seq still stored.
     */
    public static String replay(String kind, String name, String epoch, long since, long seq, String lost,
                                long oldest) {
        // Written out, as the welcome: names, a base-36 epoch and fixed words need no escaping.
        StringBuilder replay = new StringBuilder(128).append("{\"type\":\"replay\",\"").append(kind)
                .append("\":\"").append(name).append("\",\"epoch\":");
        quotedOrNull(replay, epoch).append(",\"since\":").append(since);
        if (seq >= 0) {
            replay.append(",\"seq\":").append(seq);
        }
        replay.append(",\"recovered\":").append(lost == null);
        if (lost != null) {
            replay.append(",\"reason\":\"").append(lost).append("\",\"oldest\":").append(oldest);
        }
        return replay.append('}').toString();
    }

    /**
     * The seq of a frame made by {@link #durableMessage}, or -1 for any other frame. Read back from the
     * frame's text, which is shared by every recipient, rather than carried beside it.
     */
    public static long durableSeq(String frame) {
        String prefix = "{\"type\":\"message\",\"id\":\"";
        if (!frame.startsWith(prefix)) {
            return -1;
        }
        int i = prefix.length();
        while (i < frame.length() && frame.charAt(i) != '"') {
            i++; // the id: [0-9a-z:] only
        }
        String seqField = "\",\"seq\":";
        if (!frame.startsWith(seqField, i)) {
            return -1;
        }
        long seq = 0;
        int digits = 0;
        for (i += seqField.length(); i < frame.length() && Character.isDigit(frame.charAt(i)); i++, digits++) {
            seq = seq * 10 + (frame.charAt(i) - '0');
        }
        return digits == 0 || digits > 18 ? -1 : seq;
    }

    /** The last frame of an event stream, which has no close frame of its own (PROTOCOL.md, "Event stream"). */
    public static String close(int code, String reason) {
        return JsonCodec.object()
                .add("type", "close")
                .add("code", code)
                .add("reason", reason)
                .build().toString();
    }

    public static String error(String code, String message) {
        return JsonCodec.object()
                .add("type", "error")
                .add("code", code)
                .add("message", message)
                .build().toString();
    }

    /** An error about one group a frame named: the group is given apart, so that a client can tell which. */
    public static String groupError(String code, String group, String message) {
        return JsonCodec.object()
                .add("type", "error")
                .add("code", code)
                .add("group", group)
                .add("message", message)
                .build().toString();
    }
}
