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
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API keys with scopes: every REST call needs push, query or admin, and a key without that scope gets
 * 403 and changes nothing; a missing or unknown key gets 401. The test keys without a scope list keep
 * every scope.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiScopesIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(400);
    private static final String PUSHER = "pusher-key";
    private static final String READER = "reader-key";
    private static final String BOSS = "boss-key";
    private static final String PUSH_AND_QUERY = "pq-key";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-scopes.war", Deployments.config("herald.api.keys", String.join(",",
                Herald.KEY, PUSHER + ":push", READER + ":query", BOSS + ":admin", PUSH_AND_QUERY + ":push+query")));
    }

    private WsClient client;
    private String uid;
    private String group;

    @BeforeEach
    void setUp() {
        uid = Names.unique("scoped");
        group = Names.unique("group");
        client = herald.connect(uid);
        herald.api().joinGroup(group, client.clientId());
    }

    /** One REST call: method, path below /api, body (or null). */
    private record Call(String method, String path, String body) {
        Api.Response by(Api api) {
            return api.send(method, path, body);
        }
    }

    private List<Call> pushCalls() {
        String data = obj("data", "pushed").toString();
        return List.of(
                new Call("POST", "/clients/" + client.clientId() + "/messages", data),
                new Call("POST", "/uids/" + uid + "/messages", obj("data", "pushed", "durable", false).toString()),
                new Call("POST", "/groups/" + group + "/messages", data),
                new Call("POST", "/broadcast", data),
                new Call("POST", "/messages", obj("to", obj("clients", List.of(client.clientId())), "data", "pushed").toString()),
                new Call("POST", "/messages/batch", obj("messages", List.of(obj("uid", uid, "data", "pushed")),
                        "durable", false).toString()));
    }

    private List<Call> queryCalls() {
        return List.of(
                new Call("GET", "/clients/" + client.clientId(), null),
                new Call("GET", "/clients/" + client.clientId() + "/session", null),
                new Call("GET", "/uids/" + uid, null),
                new Call("GET", "/uids/" + uid + "/messages", null),
                new Call("GET", "/groups", null),
                new Call("GET", "/groups/" + group, null),
                new Call("GET", "/stats", null));
    }

    /** Admin calls that leave the client connected, bound and grouped as it was, when they succeed in order. */
    private List<Call> adminCalls() {
        String id = client.clientId();
        String other = Names.unique("other");
        return List.of(
                new Call("PUT", "/clients/" + id + "/session", obj("plan", "gold").toString()),
                new Call("PATCH", "/clients/" + id + "/session", obj("plan", JsonValue.NULL).toString()),
                new Call("PUT", "/groups/" + other + "/clients/" + id, "{}"),
                new Call("DELETE", "/groups/" + other + "/clients/" + id, null),
                new Call("DELETE", "/groups/" + other, null),
                new Call("DELETE", "/clients/" + id + "/uid", null),
                new Call("PUT", "/clients/" + id + "/uid", obj("uid", uid).toString()));
    }

    private static void assertForbidden(Api.Response response, String scope) {
        response.expectError(403, "forbidden");
        assertTrue(response.object().getString("message").contains(scope), response.body());
    }

    @Test
    void withoutAKnownKeyEveryCallIs401() {
        Api api = herald.api();
        for (Call call : List.of(pushCalls().get(0), queryCalls().get(0), adminCalls().get(0))) {
            call.by(api.withKey(null)).expectError(401, "unauthorized");
            call.by(api.withKey("guess")).expectError(401, "unauthorized");
            call.by(api.withKey(PUSHER + ":push")).expectError(401, "unauthorized");
            api.withKey(null).send(call.method(), call.path(), call.body(), "Authorization", "Basic " + PUSHER)
                    .expectError(401, "unauthorized");
        }
        client.assertNoMessage(QUIET);
    }

    @Test
    void aPushKeyPushesAndNothingElse() {
        Api pusher = herald.api(PUSHER);
        for (Call call : pushCalls()) {
            assertEquals(202, call.by(pusher).status(), call + " with a push key");
            assertJsonEquals(JsonSupport.value("pushed"), client.awaitData(WAIT), call.toString());
        }
        for (Call call : queryCalls()) {
            assertForbidden(call.by(pusher), "query");
        }
        for (Call call : adminCalls()) {
            assertForbidden(call.by(pusher), "admin");
        }
        Api.Response close = pusher.delete("/clients/" + client.clientId());
        assertForbidden(close, "admin");
        assertTrue(close.body().length() > 0);
        herald.api().get("/clients/" + client.clientId()).expect(200); // still there
        assertTrue(client.isOpen());
    }

    @Test
    void aQueryKeyReadsAndNothingElse() {
        Api reader = herald.api(READER);
        for (Call call : queryCalls()) {
            assertEquals(200, call.by(reader).status(), call + " with a query key");
        }
        for (Call call : pushCalls()) {
            assertForbidden(call.by(reader), "push");
        }
        client.assertNoMessage(QUIET); // no refused push got through
        for (Call call : adminCalls()) {
            assertForbidden(call.by(reader), "admin");
        }
        JsonObject described = reader.get("/clients/" + client.clientId()).expect(200).object();
        assertEquals(uid, described.getString("uid"), "a refused unbind changed nothing");
        assertJsonEquals(JsonValue.EMPTY_JSON_OBJECT, described.get("session"), "a refused session write changed nothing");
    }

    @Test
    void anAdminKeyManagesAndNeitherPushesNorReads() {
        Api boss = herald.api(BOSS);
        for (Call call : adminCalls()) {
            int status = call.by(boss).status();
            assertTrue(status == 204 || status == 200, call + " with an admin key: " + status);
        }
        for (Call call : pushCalls()) {
            assertForbidden(call.by(boss), "push");
        }
        for (Call call : queryCalls()) {
            assertForbidden(call.by(boss), "query");
        }
        Api.Response refused = boss.get("/stats");
        assertTrue(refused.body().contains("query"));
        client.assertNoMessage(QUIET);
        boss.delete("/uids/" + uid + "/clients").expect(200);
        client.assertClosedWith(4100, WAIT);
    }

    @Test
    void scopesCombine() {
        Api both = herald.api(PUSH_AND_QUERY);
        assertEquals(202, pushCalls().get(0).by(both).status());
        client.awaitData(WAIT);
        both.get("/stats").expect(200);
        assertForbidden(both.delete("/clients/" + client.clientId()), "admin");
        assertTrue(client.isOpen());
    }
}
