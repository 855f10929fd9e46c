package io.herald.client;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/** Reads an answer frame: one answer object, or an array of them (the server coalesces answers ready together). */
final class Answers {

    /** One answer: the request number it answers ({@code null} if the server could not tell) and the answer. */
    record Numbered(Long number, Answer answer) {
    }

    private Answers() {
    }

    /** The answers in the frame; throws {@link jakarta.json.JsonException} or {@link IllegalArgumentException} if it is not one. */
    static List<Numbered> parse(String frame) {
        JsonValue value;
        try (JsonReader reader = JsonSupport.PROVIDER.createReader(new StringReader(frame))) {
            value = reader.readValue();
        }
        List<Numbered> answers = new ArrayList<>();
        if (value.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue item : value.asJsonArray()) {
                answers.add(one(item));
            }
        } else {
            answers.add(one(value));
        }
        return answers;
    }

    private static Numbered one(JsonValue value) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new IllegalArgumentException("an answer is not a JSON object: " + value);
        }
        JsonObject answer = value.asJsonObject();
        if (!(answer.get("status") instanceof JsonNumber status)) {
            throw new IllegalArgumentException("an answer has no status: " + value);
        }
        // The client sends integer ids only; anything else (null for an unreadable frame) matches no request.
        Long number = answer.get("id") instanceof JsonNumber id && id.isIntegral() ? id.longValue() : null;
        return new Numbered(number, new Answer(status.intValue(), answer.get("body")));
    }
}
