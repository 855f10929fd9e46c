package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.JsonSupport;
import io.herald.it.support.Names;
import io.herald.it.support.RawHttp;
import io.herald.it.support.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies that anyone holding a push key can send: JSON beyond the parsing limits (1,001 levels, a number of
 * 1,200 digits), data after the value, and bodies far beyond the body limit with and without a
 * Content-Length. Each gets its documented 4xx with a JSON error, nothing is stored or sent, and the node
 * answers the next normal push. The deployment keeps the default body limit (1 MiB), under WildFly's own
 * POST limit of 10 MB, so that a 20 MiB body is larger than both.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileBodiesIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final int MIB = 1024 * 1024;
    private static final String DEEP = "[".repeat(1_001) + "]".repeat(1_001);
    private static final String LONG_NUMBER = "1".repeat(1_200);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-hostile.war", Deployments.baseConfig());
    }

    /** A request: a path below /api and its raw body. */
    private record Push(String path, String body) {
    }

    /**
     * Every way to push to one uid (its own path, {@code POST /api/messages}, the batch), durable and not,
     * with the given JSON text as the data and the suffix after the body.
     */
    private static List<Push> pushes(String uid, String data, String suffix) {
        String to = "{\"to\":{\"uids\":[\"" + uid + "\"]},\"data\":" + data;
        String batch = "{\"messages\":[{\"uid\":\"" + uid + "\",\"data\":" + data + "}]";
        return List.of(
                new Push("/uids/" + uid + "/messages", "{\"data\":" + data + "}" + suffix),
                new Push("/uids/" + uid + "/messages", "{\"durable\":false,\"data\":" + data + "}" + suffix),
                new Push("/messages", to + "}" + suffix),
                new Push("/messages", to + ",\"durable\":false}" + suffix),
                new Push("/messages/batch", batch + "}" + suffix),
                new Push("/messages/batch", batch + ",\"durable\":false}" + suffix));
    }

    /** Each push is a 400 bad_json whose message names the broken limit; nothing reaches the uid. */
    private void assertRefused(String data, String suffix, String reason) {
        String uid = Names.unique("hostile");
        WsClient client = herald.connect(uid);
        for (Push push : pushes(uid, data, suffix)) {
            JsonObject error = api.send("POST", push.path(), push.body()).expectError(400, "bad_json").object();
            assertTrue(error.getString("message").contains(reason), push.path() + ": " + error);
        }
        assertNothingStoredAndStillServing(uid, client);
    }

    /** The uid's stream is empty, its client got nothing, and a normal push is then stored and delivered. */
    private void assertNothingStoredAndStillServing(String uid, WsClient client) {
        JsonObject described = api.get("/uids/" + uid).expect(200).object();
        assertEquals(0, described.getInt("seq"), "nothing stored: " + described);
        assertTrue(api.get("/uids/" + uid + "/messages").expect(200).object().getJsonArray("messages").isEmpty());
        client.assertNoMessage(QUIET);
        api.sendData("/uids/" + uid + "/messages", obj("after", "refusal"));
        assertJsonEquals(obj("after", "refusal"), client.awaitData(WAIT));
        assertEquals(1, api.get("/uids/" + uid).expect(200).object().getInt("seq"), "only the normal push stored");
    }

    @Test
    void dataNested1001LevelsIs400() {
        assertRefused(DEEP, "", "nested deeper than 64 levels");
    }

    @Test
    void aNumberOf1200DigitsIs400() {
        assertRefused(LONG_NUMBER, "", "a number longer than 100 characters");
    }

    @Test
    void dataAfterTheBodyIs400() {
        assertRefused("1", " xyz", "data after the JSON value");
    }

    @Test
    void aBodyOf20MiBWithItsLengthIs413() {
        String uid = Names.unique("huge");
        WsClient client = herald.connect(uid);
        String huge = "{\"data\":\"" + "x".repeat(20 * MIB) + "\"}";
        answered(() -> api.send("POST", "/uids/" + uid + "/messages", huge)).expectError(413, "body_too_large");
        answered(() -> api.send("POST", "/messages/batch", huge)).expectError(413, "body_too_large");
        // the key is checked first: without one, the size does not matter
        answered(() -> api.withKey(null).send("POST", "/uids/" + uid + "/messages", huge))
                .expectError(401, "unauthorized");
        assertNothingStoredAndStillServing(uid, client);
    }

    /**
     * The answer to a request whose body the server refuses unread and then closes the connection on. The
     * client may still be writing the body then, and the unread bytes can make the server's TCP stack reset
     * the connection before the client has read the answer (seen about once in five runs on WildFly): such
     * a lost answer is tried again, a few times; any answer that arrives is the one checked.
     */
    private static Api.Response answered(Supplier<Api.Response> request) {
        AssertionError lost = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return request.get();
            } catch (AssertionError e) {
                if (!(e.getCause() instanceof IOException)) {
                    throw e;
                }
                lost = e;
            }
        }
        throw lost;
    }

    @Test
    void aChunkedBodyOf2MiBIs413() {
        String uid = Names.unique("chunked");
        WsClient client = herald.connect(uid);
        String big = "{\"data\":\"" + "x".repeat(2 * MIB) + "\"}";
        api.sendChunked("POST", "/uids/" + uid + "/messages", big).expectError(413, "body_too_large");
        api.sendChunked("POST", "/messages", big).expectError(413, "body_too_large");
        assertNothingStoredAndStillServing(uid, client);
    }

    /** A request head to push to the uid, as written on the wire (the caller adds the body's framing). */
    private String head(String uid, String framing) {
        return "POST " + herald.contextPath() + "/api/uids/" + uid + "/messages HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + herald.port() + "\r\n"
                + "Authorization: Bearer " + Herald.KEY + "\r\n"
                + "Content-Type: application/json\r\n"
                + framing + "\r\n"
                + "Connection: close\r\n\r\n";
    }

    @Test
    void aStatedLengthOverTheLimitIsRefusedBeforeTheBodyIsSent() {
        String uid = Names.unique("declared");
        WsClient client = herald.connect(uid);
        // only the head: a server that waited for the body would time out this exchange
        RawHttp.Response response = RawHttp.exchange(herald.port(),
                head(uid, "Content-Length: " + 20 * MIB).getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(413, response.status(), response.head() + response.body());
        JsonObject error = JsonSupport.parse(response.body()).asJsonObject();
        assertEquals("body_too_large", error.getString("code"), response.body());
        assertTrue(response.header("Content-Type").startsWith("application/json"), response.head());
        assertEquals("close", response.header("Connection"), "the unread body ends the connection: " + response.head());
        assertNothingStoredAndStillServing(uid, client);
    }

    @Test
    void aBodyWithBrokenChunksIsRefusedAndChangesNothing() {
        String uid = Names.unique("broken");
        WsClient client = herald.connect(uid);
        // a first chunk of 5 bytes, then a chunk size that is not hexadecimal
        String chunks = "5\r\n{\"dat\r\nzz\r\na\":1}\r\n0\r\n\r\n";
        RawHttp.Response response = RawHttp.exchange(herald.port(),
                (head(uid, "Transfer-Encoding: chunked") + chunks).getBytes(StandardCharsets.ISO_8859_1));
        // The server's HTTP layer may take it (WildFly closes the connection unanswered), or Herald's reading
        // (400); a 500 or an accepted push would be wrong.
        assertTrue(response.status() == RawHttp.CLOSED || response.status() == 400, response.head() + response.body());
        assertNothingStoredAndStillServing(uid, client);
    }

    /** The same request with well-formed chunks is accepted: the test above fails for its framing alone. */
    @Test
    void wellFormedChunksAreAccepted() {
        String uid = Names.unique("chunks");
        WsClient client = herald.connect(uid);
        String chunks = "5\r\n{\"dat\r\n6\r\na\":1}\r\n0\r\n\r\n";
        RawHttp.Response response = RawHttp.exchange(herald.port(),
                (head(uid, "Transfer-Encoding: chunked") + chunks).getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(202, response.status(), response.head() + response.body());
        assertJsonEquals(Json.createValue(1), client.awaitData(WAIT));
    }
}
