package io.herald.api;

import io.herald.core.JsonCodec;
import io.herald.delivery.StoredMessage;
import jakarta.json.JsonArrayBuilder;

import java.util.List;

/** Stored messages as the history calls of uids and groups list them: {@code [{"id","seq","data","createdAt"}…]}. */
final class StoredMessages {

    private StoredMessages() {
    }

    static JsonArrayBuilder json(List<StoredMessage> stored) {
        JsonArrayBuilder messages = JsonCodec.array();
        for (StoredMessage message : stored) {
            messages.add(JsonCodec.object()
                    .add("id", message.messageId())
                    .add("seq", message.seq())
                    .add("data", JsonCodec.parse(message.data()))
                    .add("createdAt", message.createdAt()));
        }
        return messages;
    }
}
