package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** REST authentication, the error format and refused input. The body limit is set to 2048 bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestApiErrorsIT extends ClientTest {

    private static final int MAX_BODY = 2048;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-rest.war",
                Deployments.config("herald.api.max-body-bytes", String.valueOf(MAX_BODY)));
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void noAuthorizationIs401() {
        Api anonymous = herald.api(null);
        anonymous.get("/stats").expectError(401, "unauthorized");
        anonymous.get("/groups").expectError(401, "unauthorized");
        anonymous.post("/broadcast", obj("data", 1)).expectError(401, "unauthorized");
        anonymous.delete("/uids/alice/clients").expectError(401, "unauthorized");
    }

    @Test
    void wrongKeyIs401() {
        herald.api("wrong-key").get("/stats").expectError(401, "unauthorized");
        herald.api("test-key-but-longer").get("/stats").expectError(401, "unauthorized");
        herald.api("").get("/stats").expectError(401, "unauthorized");
    }

    @Test
    void otherAuthorizationSchemesAre401() {
        // a Basic header carrying the key, or the key without a scheme, is not a bearer key
        String basic = Base64.getEncoder().encodeToString((Herald.KEY + ":").getBytes(StandardCharsets.UTF_8));
        assertEquals(401, rawWithAuthorization("Basic " + basic));
        assertEquals(401, rawWithAuthorization(Herald.KEY));
        assertEquals(200, rawWithAuthorization("Bearer " + Herald.KEY));
    }

    /** GET /api/stats with the Authorization header as given (no "Bearer " added). */
    private int rawWithAuthorization(String headerValue) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + herald.port() + herald.contextPath() + "/api/stats"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", headerValue)
                .GET().build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void bothConfiguredKeysWork() {
        herald.api(Herald.KEY).get("/stats").expect(200);
        herald.api(Herald.SECOND_KEY).get("/stats").expect(200);
        herald.api(Herald.SECOND_KEY).post("/broadcast", obj("data", 1)).expect(202);
    }

    @Test
    void authenticationComesBeforeValidation() {
        herald.api(null).send("POST", "/broadcast", "{not json").expectError(401, "unauthorized");
        herald.api("wrong").post("/uids/" + Api.seg("bad uid") + "/messages", obj("data", 1))
                .expectError(401, "unauthorized");
    }

    @Test
    void unknownResourceIsAJson404() {
        api.get("/no-such-thing").expectError(404, "not_found");
    }

    // ---------------------------------------------------------------- malformed bodies

    @Test
    void malformedJsonIs400BadJson() {
        WsClient c = herald.connect(null);
        String broken = "{\"data\": ";
        api.send("POST", "/uids/alice/messages", broken).expectError(400, "bad_json");
        api.send("POST", "/clients/" + c.clientId() + "/messages", broken).expectError(400, "bad_json");
        api.send("POST", "/groups/g/messages", broken).expectError(400, "bad_json");
        api.send("POST", "/broadcast", broken).expectError(400, "bad_json");
        api.send("POST", "/messages", broken).expectError(400, "bad_json");
        api.send("PUT", "/clients/" + c.clientId() + "/uid", broken).expectError(400, "bad_json");
        api.send("PUT", "/clients/" + c.clientId() + "/session", "{'single':'quotes'}").expectError(400, "bad_json");
    }

    @Test
    void aBodyThatIsNotAnObjectIs400BadJson() {
        api.send("POST", "/uids/alice/messages", "[1,2,3]").expectError(400, "bad_json");
        api.send("POST", "/broadcast", "\"data\"").expectError(400, "bad_json");
        api.send("POST", "/messages", "42").expectError(400, "bad_json");
    }

    @Test
    void missingDataIs400BadRequest() {
        WsClient c = herald.connect(null);
        api.post("/uids/alice/messages", JsonValue.EMPTY_JSON_OBJECT).expectError(400, "bad_request");
        api.post("/clients/" + c.clientId() + "/messages", obj("date", 1)).expectError(400, "bad_request");
        api.post("/groups/g/messages", obj("exclude", arr())).expectError(400, "bad_request");
        api.post("/broadcast", JsonValue.EMPTY_JSON_OBJECT).expectError(400, "bad_request");
        api.post("/messages", obj("to", obj("uids", arr("alice")))).expectError(400, "bad_request");
        c.assertNoMessage(Duration.ofMillis(300));
    }

    @Test
    void fieldsOfTheWrongTypeAre400BadRequest() {
        WsClient c = herald.connect(null);
        api.post("/broadcast", obj("data", 1, "exclude", "not-a-list")).expectError(400, "bad_request");
        api.post("/groups/g/messages", obj("data", 1, "exclude", arr(1, 2))).expectError(400, "bad_request");
        api.post("/messages", obj("to", "everyone", "data", 1)).expectError(400, "bad_request");
        api.post("/messages", obj("to", obj("uids", "alice"), "data", 1)).expectError(400, "bad_request");
        api.put("/clients/" + c.clientId() + "/uid", obj("uid", 5)).expectError(400, "bad_request");
        api.put("/clients/" + c.clientId() + "/uid", JsonValue.EMPTY_JSON_OBJECT).expectError(400, "bad_request");
    }

    @Test
    void sendToAListWithoutRecipientsIs400BadRequest() {
        // "to" is required: a message with nowhere to go is a caller's mistake
        api.post("/messages", obj("data", 1)).expectError(400, "bad_request");
    }

    // ---------------------------------------------------------------- names

    @Test
    void badUidsAre400BadUid() {
        WsClient c = herald.connect(null);
        String tooLong = "u".repeat(129);
        // in a path (characters a servlet container passes through unchanged once decoded)
        for (String bad : List.of("has space", tooLong, "caf\u00e9", "star*", "hash#tag")) {
            String seg = Api.seg(bad);
            api.post("/uids/" + seg + "/messages", obj("data", 1)).expectError(400, "bad_uid");
            api.get("/uids/" + seg).expectError(400, "bad_uid");
            api.delete("/uids/" + seg + "/clients").expectError(400, "bad_uid");
        }
        // in a body
        for (String bad : List.of("has space", tooLong, "semi;colon", "slash/", "back\\slash", "caf\u00e9", "")) {
            api.put("/clients/" + c.clientId() + "/uid", obj("uid", bad)).expectError(400, "bad_uid");
            api.post("/messages", obj("to", obj("uids", arr(bad)), "data", 1)).expectError(400, "bad_uid");
        }
        assertTrue(c.welcome().isNull("uid"));
        assertTrue(api.get("/clients/" + c.clientId()).expect(200).object().isNull("uid"), "refused binds change nothing");
    }

    @Test
    void uidOf128CharactersAndEveryAllowedCharacterIsFine() {
        WsClient c = herald.connect(null);
        String longest = "u".repeat(128);
        api.post("/uids/" + longest + "/messages", obj("data", 1)).expect(202);
        String all = "AZaz09_-.:@";
        api.put("/clients/" + c.clientId() + "/uid", obj("uid", all)).expect(204);
        api.get("/uids/" + Api.seg(all)).expect(200);
        api.sendData("/uids/" + Api.seg(all) + "/messages", obj("ok", true));
        assertJsonEquals(obj("ok", true), c.awaitData(Duration.ofSeconds(5)));
    }

    @Test
    void badGroupsAre400BadGroup() {
        WsClient c = herald.connect(null);
        for (String bad : List.of("bad group", "g".repeat(129), "hash#tag", "comma,sep")) {
            String seg = Api.seg(bad);
            api.put("/groups/" + seg + "/clients/" + c.clientId(), JsonValue.EMPTY_JSON_OBJECT)
                    .expectError(400, "bad_group");
            api.delete("/groups/" + seg + "/clients/" + c.clientId()).expectError(400, "bad_group");
            api.get("/groups/" + seg).expectError(400, "bad_group");
            api.delete("/groups/" + seg).expectError(400, "bad_group");
            api.post("/groups/" + seg + "/messages", obj("data", 1)).expectError(400, "bad_group");
            api.post("/messages", obj("to", obj("groups", arr(bad)), "data", 1)).expectError(400, "bad_group");
        }
        api.put("/groups/" + "g".repeat(128) + "/clients/" + c.clientId(), JsonValue.EMPTY_JSON_OBJECT).expect(204);
    }

    @Test
    void badClientIdsAre400BadClientId() {
        for (String bad : List.of("not a client", "UPPERCASE0-1", "short-1")) {
            String seg = Api.seg(bad);
            api.post("/clients/" + seg + "/messages", obj("data", 1)).expectError(400, "bad_client_id");
            api.get("/clients/" + seg).expectError(400, "bad_client_id");
        }
        api.post("/messages", obj("to", obj("clients", arr("not a client")), "data", 1))
                .expectError(400, "bad_client_id");
    }

    // ---------------------------------------------------------------- body size

    @Test
    void bodyOverTheLimitIs413() {
        String big = obj("data", "x".repeat(MAX_BODY + 500)).toString();
        api.send("POST", "/broadcast", big).expectError(413, "body_too_large");
        api.sendChunked("POST", "/broadcast", big).expectError(413, "body_too_large");
        api.send("POST", "/uids/alice/messages", big).expectError(413, "body_too_large");
    }

    @Test
    void bodyUnderTheLimitIsAccepted() {
        WsClient c = herald.connect(Names.unique("size"));
        String data = "x".repeat(MAX_BODY - 200);
        String body = obj("data", data).toString();
        assertTrue(body.length() < MAX_BODY);
        api.send("POST", "/uids/" + c.welcome().getString("uid") + "/messages", body).expect(202);
        assertJsonEquals(Json.createValue(data), c.awaitData(Duration.ofSeconds(5)));
    }
}
