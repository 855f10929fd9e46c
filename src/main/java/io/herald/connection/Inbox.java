package io.herald.connection;

import io.herald.core.TextParts;
import io.herald.core.Utf8;
import io.herald.core.JsonCodec;
import io.herald.core.Names;
import io.herald.delivery.Deliveries;
import io.herald.gateway.ClientMessage;
import io.herald.routing.Client;
import io.herald.routing.CloseCodes;
import io.herald.routing.Frames;
import io.herald.security.Guard;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One client's frames on their way in, whichever door they came through: each is charged to the client's
 * rate before it is parsed, then parsed and acted upon (PROTOCOL.md, "Frames"). A WebSocket hands frames
 * over in parts ({@link #receive}); an event stream's client posts whole ones ({@link #admit}, {@link #parse},
 * {@link #dispatch}).
 */
final class Inbox {

    /** A frame refused before it was acted upon: the code and message of its {@code error} frame. */
    static final class BadFrame extends Exception {
        private final String code;

        BadFrame(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private final Reception reception;
    private final Client client;
    private final Guard guard;
    private final TextParts parts = new TextParts();
    private boolean skipping;

    Inbox(Reception reception, Client client, Guard guard) {
        this.reception = reception;
        this.client = client;
        this.guard = guard;
    }

    Client client() {
        return client;
    }

    /**
     * A part of a WebSocket text frame. Frames arrive in parts so that Herald, not the container, enforces
     * {@code herald.frame.max-bytes}: a container may buffer a whole message before any limit set on an open
     * session applies. Each part is counted against the client's rate (frames and bytes) before anything
     * else is done with it; a frame over the rate is dropped part by part without being kept.
     */
    void receive(String part, boolean last) {
        client.heard();
        try {
            receivePart(part, last);
        } catch (RuntimeException e) {
            // A bug in handling one frame must not end the connection's reading or reach the container.
            reception.log.frameFailed(client, e);
            parts.drop();
            skipping = !last;
            client.send(Frames.error("internal_error", "the frame could not be handled"));
        }
    }

    private void receivePart(String part, boolean last) {
        boolean first = parts.idle() && !skipping;
        if (skipping) {
            skipping = !last; // the rest of a frame that was dropped
            return;
        }
        int bytes = Utf8.length(part);
        if (!(first ? guard.admit(bytes) : guard.admitMore(bytes))) {
            parts.drop();
            skipping = !last;
            return;
        }
        String frame = parts.add(part, bytes, last, reception.settings.frameMaxBytes(), () -> {
            skipping = !last;
            tooBig();
        });
        if (frame != null) {
            frame(frame);
        }
    }

    /** A whole frame of {@code bytes} bytes, not read yet: whether the client's rate lets it be read. */
    boolean admit(int bytes) {
        client.heard();
        return guard.admit(bytes);
    }

    /** A further piece of an admitted frame, not read yet: whether the client's rate lets it be read. */
    boolean admitMore(int bytes) {
        return guard.admitMore(bytes);
    }

    private void frame(String text) {
        try {
            dispatch(parse(text));
        } catch (BadFrame bad) {
            client.send(Frames.error(bad.code(), bad.getMessage()));
        }
    }

    /** The frame as a JSON object with a string {@code type}. */
    static JsonObject parse(String text) throws BadFrame {
        JsonValue frame;
        try {
            frame = JsonCodec.parseInput(text);
        } catch (JsonException e) {
            throw new BadFrame("bad_json", "the frame is not valid JSON: " + e.getMessage());
        }
        if (frame.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new BadFrame("bad_json", "a frame is a JSON object");
        }
        JsonObject object = frame.asJsonObject();
        if (!(object.get("type") instanceof JsonString)) {
            throw new BadFrame("bad_frame", "a frame needs a string \"type\"");
        }
        return object;
    }

    /** Acts upon a parsed frame; what is wrong with it from here on is answered with an {@code error} frame. */
    void dispatch(JsonObject frame) {
        String type = frame.getString("type");
        switch (type) {
            case "ping" -> client.send(Frames.PONG);
            case "pong" -> guard.refund(); // a sign of life is all it is
            case "message" -> {
                if (guard.maySend()) {
                    applicationMessage(frame);
                }
            }
            case "send" -> {
                if (guard.maySend()) {
                    reception.relay.send(client, frame);
                }
            }
            case "ack" -> {
                guard.refund();
                acknowledge(frame);
            }
            case "resume" -> resume(frame);
            default -> client.send(Frames.error("unknown_type", "unknown frame type: " + abbreviate(type)));
        }
    }

    private void applicationMessage(JsonObject frame) {
        JsonValue data = frame.get("data");
        if (data == null) {
            client.send(Frames.error("bad_frame", "a message frame needs \"data\""));
            return;
        }
        reception.metrics.messagesIn().inc();
        reception.events.message(new ClientMessage(client.id(), client.uid(), client.session(), data));
    }

    /** {@code {"type":"ack","seq":N}}: the client has processed its stream up to N. */
    private void acknowledge(JsonObject frame) {
        if (!(frame.get("seq") instanceof JsonNumber seq) || !seq.isIntegral()) {
            client.send(Frames.error("bad_frame", "an ack frame needs a whole number \"seq\""));
        } else if (!reception.deliveries.attached(client)) {
            client.send(Frames.error("not_bound", "only a client bound to a uid has a stream to acknowledge"));
        } else if (!reception.deliveries.acknowledge(client, seq.longValue())) {
            client.send(Frames.error("bad_ack", "seq " + seq + " was not sent to this client"));
        }
    }

    /**
     * {@code {"type":"resume","since":N,"epoch":"…"}}: replay the uid's stream after N, then go live;
     * {@code {"type":"resume","groups":{"room":41,…}}}: the same for each group named (the uid's stream is
     * resumed too only if the frame also has {@code since} or {@code epoch}).
     */
    private void resume(JsonObject frame) {
        JsonValue groups = frame.get("groups");
        if (groups != null) {
            resumeGroups(groups);
            if (!frame.containsKey("since") && !frame.containsKey("epoch")) {
                return;
            }
        }
        String uid = client.uid();
        JsonValue since = frame.get("since");
        JsonValue epoch = frame.get("epoch");
        if (uid == null) {
            client.send(Frames.error("not_bound", "only a client bound to a uid has a stream to resume"));
        } else if (since != null && !(since instanceof JsonNumber number && number.isIntegral()
                && number.longValue() >= 0)) {
            client.send(Frames.error("bad_frame", "\"since\" must be a whole number of 0 or more"));
        } else if (epoch != null && !(epoch instanceof JsonString) && epoch != JsonValue.NULL) {
            client.send(Frames.error("bad_frame", "\"epoch\" must be a string"));
        } else {
            reception.deliveries.attach(client, uid, since == null ? null : ((JsonNumber) since).longValue(),
                    epoch instanceof JsonString text ? text.getString() : null);
        }
    }

    /**
     * {@code "groups": {"room": 41, "feed": {"since": 1200, "epoch": "…"}}}: each a group the client is in,
     * at most {@code herald.limits.groups-per-client} of them, each with a position of 0 or more. The whole
     * map is checked before any group is resumed: a bad one resumes none.
     */
    private void resumeGroups(JsonValue groups) {
        if (!(groups instanceof JsonObject positions)) {
            client.send(Frames.error("bad_frame", "\"groups\" must be an object of group names and positions"));
            return;
        }
        int max = reception.settings.groupsPerClient();
        if (positions.size() > max) {
            client.send(Frames.error("too_many_groups", "a resume names at most " + max
                    + " groups (herald.limits.groups-per-client)"));
            return;
        }
        Map<String, Deliveries.GroupPosition> asked = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> position : positions.entrySet()) {
            String group = position.getKey();
            if (!Names.validName(group)) {
                client.send(Frames.error("bad_group", "\"" + abbreviate(group) + "\": a group name is " + Names.RULE));
                return;
            }
            JsonValue value = position.getValue();
            JsonValue seq = value instanceof JsonObject object ? object.get("since") : value;
            JsonValue epoch = value instanceof JsonObject object ? object.get("epoch") : null;
            if (!(seq instanceof JsonNumber number && number.isIntegral() && number.longValue() >= 0)
                    || epoch != null && !(epoch instanceof JsonString) && epoch != JsonValue.NULL) {
                client.send(Frames.error("bad_frame", "the position of group " + group
                        + " must be a whole number of 0 or more, or {\"since\": N, \"epoch\": \"…\"}"));
                return;
            }
            asked.put(group, new Deliveries.GroupPosition(((JsonNumber) seq).longValue(),
                    epoch instanceof JsonString text ? text.getString() : null));
        }
        Map<String, Deliveries.GroupPosition> resumed = new LinkedHashMap<>();
        asked.forEach((group, position) -> {
            if (client.groups().contains(group)) {
                resumed.put(group, position);
            } else {
                client.send(Frames.groupError("not_member", group, "the client is not in group " + group
                        + "; it resumes only groups it is in"));
            }
        });
        reception.deliveries.attachGroups(client, resumed);
    }

    private void tooBig() {
        reception.registry.remove(client);
        client.outbox().closeNow(CloseCodes.TOO_BIG.reason());
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
