package io.herald.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    @Test
    void validInputParses() {
        JsonValue value = JsonCodec.parseInput(" {\"type\":\"message\",\"data\":[1,-2.5e3,\"a\\\"b\",true,null,{}]} ");
        assertEquals("message", value.asJsonObject().getString("type"));
        assertEquals(6, value.asJsonObject().getJsonArray("data").size());
        assertEquals(JsonValue.TRUE, JsonCodec.parseInput("true"));
        assertEquals("42", JsonCodec.parseInput("42").toString());
    }

    @Test
    void nestingBeyondTheLimitIsRefusedInHeraldsWords() {
        String ok = "[".repeat(JsonLimits.MAX_DEPTH) + "]".repeat(JsonLimits.MAX_DEPTH);
        JsonCodec.parseInput(ok);
        String deep = "[".repeat(JsonLimits.MAX_DEPTH + 1) + "]".repeat(JsonLimits.MAX_DEPTH + 1);
        assertMessage("nested deeper than 64 levels", deep);
        assertMessage("nested deeper than 64 levels", "[".repeat(5000)); // not even closed
        assertMessage("nested deeper than 64 levels", "{\"a\":".repeat(1001) + "1" + "}".repeat(1001));
    }

    @Test
    void longNumbersAreRefused() {
        JsonCodec.parseInput("1" + "0".repeat(JsonLimits.MAX_NUMBER_CHARS - 1));
        assertMessage("a number longer than 100 characters", "{\"n\":1" + "2".repeat(1200) + "}");
        assertMessage("a number longer than 100 characters", "-1." + "5".repeat(200));
    }

    @Test
    void tooManyValuesAreRefused() {
        String many = "[" + "1,".repeat(JsonLimits.MAX_VALUES) + "1]";
        assertMessage("more than 100000 values", many);
    }

    @Test
    void trailingDataIsRefused() {
        assertMessage("data after the JSON value", "{\"data\":1} xyz");
        assertMessage("data after the JSON value", "{\"data\":1}{}");
        assertMessage("data after the JSON value", "1 2");
    }

    @Test
    void malformedTextIsAJsonExceptionWithAPosition() {
        JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parseInput("{\"a\":}"));
        assertTrue(e.getMessage().startsWith("not valid JSON"), e.getMessage());
        assertThrows(JsonException.class, () -> JsonCodec.parseInput(""));
        assertThrows(JsonException.class, () -> JsonCodec.parseInput("\"unterminated"));
        assertThrows(JsonException.class, () -> JsonCodec.parseInput("\"bad escape \\q\""));
    }

    @Test
    void randomAndMutatedTextNeverThrowsAnythingButJsonException() {
        Random random = new Random(13);
        String seed = "{\"type\":\"message\",\"data\":{\"a\":[1,2.5,-3e10,\"x\\u00e9\\n\",true,false,null]}}";
        String alphabet = "{}[]\":,.-+eE0123456789 \\utrfalsn\u00e9\uD83D\uDE00x";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder(seed);
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(text.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> { if (at < text.length()) text.deleteCharAt(at); }
                    default -> { if (at < text.length()) text.setCharAt(at, c); }
                }
            }
            String input = random.nextInt(10) == 0 ? randomText(random, alphabet) : text.toString();
            try {
                JsonCodec.parseInput(input);
            } catch (JsonException expected) {
                // the only failure allowed
            }
        }
    }

    private static String randomText(Random random, String alphabet) {
        StringBuilder b = new StringBuilder();
        for (int i = random.nextInt(200); i > 0; i--) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static void assertMessage(String message, String text) {
        JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parseInput(text));
        assertEquals(message, e.getMessage());
    }
}
