package io.herald.webhook;

/** The webhook events Herald sends, by their wire name. */
public enum EventType {
    UID_ONLINE("uid.online"),
    UID_OFFLINE("uid.offline"),
    CLIENT_CONNECTED("client.connected"),
    CLIENT_CLOSED("client.closed"),
    GROUP_EMPTIED("group.emptied"),
    MESSAGE_UNACKNOWLEDGED("message.unacknowledged");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The type with this wire name, or null. */
    public static EventType named(String name) {
        for (EventType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        return null;
    }
}
