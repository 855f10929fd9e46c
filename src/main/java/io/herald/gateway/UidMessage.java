package io.herald.gateway;

import io.herald.core.Names;
import jakarta.json.JsonValue;

import java.util.List;
import io.herald.core.HeraldException;

/**
 * One message for one uid: an entry of a batch push ({@link Gateway#storeAll}, {@link Gateway#sendAll}).
 * {@code data} is any JSON value; {@code idempotencyKey} may be null.
 */
public record UidMessage(String uid, JsonValue data, String idempotencyKey) {

    public UidMessage(String uid, JsonValue data) {
        this(uid, data, null);
    }

    /**
     * Checks every entry before anything is stored or sent, naming the first bad one by its index
     * ({@code messages[3].uid …}): 400 bad_request (an empty list, a missing entry or data), bad_uid,
     * bad_idempotency_key.
     */
    static void check(List<UidMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw HeraldException.badRequest("bad_request", "at least one message is required");
        }
        for (int i = 0; i < messages.size(); i++) {
            UidMessage message = messages.get(i);
            if (message == null) {
                throw HeraldException.badRequest("bad_request", "messages[" + i + "] is missing");
            }
            if (!Names.validName(message.uid())) {
                throw HeraldException.badRequest("bad_uid", "messages[" + i + "].uid: a uid is " + Names.RULE);
            }
            if (message.data() == null) {
                throw HeraldException.badRequest("bad_request", "messages[" + i + "].data is required (any JSON value)");
            }
            String key = message.idempotencyKey();
            if (key != null && !Gateway.IDEMPOTENCY_KEY.matcher(key).matches()) {
                throw HeraldException.badRequest("bad_idempotency_key", "messages[" + i
                        + "].idempotencyKey: an idempotency key is 1 to 200 printable ASCII characters without spaces");
            }
        }
    }
}
