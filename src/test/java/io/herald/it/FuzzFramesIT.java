package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A few thousand random and mutated frames against one connection, with the rate limits out of the way so
 * that every frame is handled: each is answered or ignored as PROTOCOL.md says, the connection never ends
 * in 1011 and no frame fails inside Herald ({@code internal_error}); afterwards the client and the node
 * work as before.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FuzzFramesIT extends ClientTest {

    private static final int FRAMES = 3_000;
    private static final int FRAME_MAX = 65_536;
    private static final String[] SEEDS = {
        "{\"type\":\"message\",\"data\":{\"text\":\"hello\",\"n\":[1,2.5,-3e7,true,null]}}",
        "{\"type\":\"ack\",\"seq\":3}",
        "{\"type\":\"resume\",\"since\":0,\"epoch\":\"e\"}",
        "{\"type\":\"ping\"}",
        "{\"type\":\"pong\"}",
        "{\"type\":\"send\",\"to\":{\"uid\":\"someone\"},\"data\":{\"x\":1}}",
        "{\"type\":\"whatever\",\"data\":\"\\u00e9\\n\\\"\"}",
    };
    private static final String ALPHABET = "{}[]\":,.-+eE0123456789 \\utrfalsn\u00e9\u4e2d\uD83D\uDE00x";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-fuzz.war", Deployments.config(
                "herald.frame.max-bytes", String.valueOf(FRAME_MAX),
                "herald.limits.messages-per-second", "1000000",
                "herald.limits.messages-burst", "1000000",
                "herald.limits.bytes-per-second", "1000000000",
                "herald.limits.bytes-burst", "1000000000"));
    }

    @Test
    void randomAndMutatedFramesAreAnsweredNeverFatal() {
        Random random = new Random(0x5eed);
        WsClient client = herald.connect(Names.unique("fuzzed"));
        for (int i = 0; i < FRAMES; i++) {
            client.sendText(frame(random));
        }
        // The end: an ack of a seq never sent is answered with an error naming it, after all the frames before.
        client.sendText("{\"type\":\"ack\",\"seq\":987654321}");

        Map<String, Integer> answers = new TreeMap<>();
        while (true) {
            JsonObject frame = client.awaitAnyFrame(Duration.ofSeconds(60));
            String type = frame.getString("type", "?");
            String key = "error".equals(type) ? "error:" + frame.getString("code", "?") : type;
            answers.merge(key, 1, Integer::sum);
            if ("error".equals(type) && frame.getString("message", "").contains("987654321")) {
                break;
            }
        }
        assertTrue(client.isOpen(), "closed with " + client.closeCode() + " after " + answers);
        assertEquals(0, answers.getOrDefault("error:internal_error", 0), "frames that failed inside Herald: " + answers);
        assertTrue(answers.getOrDefault("error:bad_json", 0) > FRAMES / 10, "mutations were mostly answered bad_json: " + answers);

        api.sendData("/clients/" + client.clientId() + "/messages", obj("after", "fuzz"));
        client.awaitMessage(m -> m.getJsonObject("data") != null && m.getJsonObject("data").containsKey("after"),
                Duration.ofSeconds(10));
        api.withKey(null).get("/health/ready").expect(200);

        // Huge strings: one just under the frame limit is handled, one over it closes with 1009.
        client.sendText("{\"type\":\"message\",\"data\":\"" + "s".repeat(FRAME_MAX - 40) + "\"}");
        client.sendText("{\"type\":\"message\",\"data\":\"" + "s".repeat(FRAME_MAX) + "\"}");
        client.assertClosedWith(1009, Duration.ofSeconds(10));
        api.withKey(null).get("/health/ready").expect(200);
    }

    private static String frame(Random random) {
        int kind = random.nextInt(10);
        String text;
        if (kind == 0) {
            text = randomText(random, 1 + random.nextInt(300));
        } else if (kind == 1) {
            int depth = 1 + random.nextInt(200);
            text = "{\"type\":\"message\",\"data\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        } else if (kind == 2) {
            text = "{\"type\":\"message\",\"data\":\"" + "h".repeat(random.nextInt(20_000)) + "\"}";
        } else {
            StringBuilder b = new StringBuilder(SEEDS[random.nextInt(SEEDS.length)]);
            for (int e = random.nextInt(6); e > 0; e--) {
                int at = random.nextInt(b.length() + 1);
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> { if (at < b.length()) b.deleteCharAt(at); }
                    default -> { if (at < b.length()) b.setCharAt(at, c); }
                }
            }
            text = b.toString();
        }
        // A surrogate cut in half is not text: the container would close the connection (1007), as it should.
        text = text.replaceAll("[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]", "?");
        return text;
    }

    private static String randomText(Random random, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
