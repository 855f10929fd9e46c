package io.herald.client;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a push was answered with: the message's {@code id}, and for a durable push to one uid the {@code seq}
 * it got in that uid's stream (else {@code null}); a durable push to several uids has their seqs in
 * {@code seqs} (else an empty map).
 */
public record Receipt(String id, Long seq, Map<String, Long> seqs) {

    public Receipt {
        seqs = Map.copyOf(seqs);
    }

    static Receipt of(JsonObject body) {
        Long seq = body.get("seq") instanceof JsonNumber n ? n.longValue() : null;
        Map<String, Long> seqs = new LinkedHashMap<>();
        JsonValue all = body.get("seqs");
        if (all != null && all.getValueType() == JsonValue.ValueType.OBJECT) {
            all.asJsonObject().forEach((uid, value) -> {
                if (value instanceof JsonNumber n) {
                    seqs.put(uid, n.longValue());
                }
            });
        }
        return new Receipt(body.getString("id"), seq, seqs);
    }
}
