package io.herald.it;

import static io.herald.it.support.JsonSupport.assertJsonEquals;
import static io.herald.it.support.JsonSupport.obj;
import static io.herald.it.support.JsonSupport.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Await;
import io.herald.it.support.Deployments;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Groups (join, leave, query, dissolve) and client sessions (put, get, patch, size limit). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupsAndSessionsIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(600);

    /** Default session limit (herald.session.max-bytes is not set by this deployment). */
    private static final int SESSION_MAX_BYTES = 4096;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald.war", Deployments.baseConfig());
    }

    private JsonObject group(String name) {
        return api.get("/groups/" + Api.seg(name)).expect(200).object();
    }

    private List<String> groupNames() {
        return strings(api.get("/groups").expect(200).object().get("groups"));
    }

    // ---------------------------------------------------------------- groups

    @Test
    void joinAndLeave() {
        String g = Names.unique("lobby");
        WsClient c = herald.connect(Names.unique("m"));

        api.put("/groups/" + g + "/clients/" + c.clientId(), JsonValue.EMPTY_JSON_OBJECT).expect(204);
        api.sendData("/groups/" + g + "/messages", obj("in", g));
        assertJsonEquals(obj("in", g), c.awaitData(WAIT));
        assertTrue(groupNames().contains(g), "group listed after a join");

        api.delete("/groups/" + g + "/clients/" + c.clientId()).expect(204);
        api.sendData("/groups/" + g + "/messages", obj("in", "left"));
        c.assertNoMessage(QUIET);
        assertFalse(groupNames().contains(g), "a group with no clients does not exist");
        assertEquals(List.of(), strings(api.get("/clients/" + c.clientId()).expect(200).object().get("groups")));
    }

    @Test
    void joinWithoutBodyWorks() {
        String g = Names.unique("nobody-body");
        WsClient c = herald.connect(null);
        api.send("PUT", "/groups/" + g + "/clients/" + c.clientId(), null).expect(204);
        assertEquals(List.of(c.clientId()), strings(group(g).get("clientIds")));
    }

    @Test
    void groupShowsClientsUidsAndCounts() {
        String g = Names.unique("team");
        String u1 = Names.unique("u1");
        String u2 = Names.unique("u2");
        WsClient a = herald.connect(u1);
        WsClient b = herald.connect(u1);
        WsClient c = herald.connect(u2);
        for (WsClient x : List.of(a, b, c)) {
            api.joinGroup(g, x.clientId());
        }
        api.joinGroup(g, a.clientId()); // joining twice changes nothing

        JsonObject info = group(g);
        assertEquals(g, info.getString("group"));
        assertEquals(Set.of(a.clientId(), b.clientId(), c.clientId()), Set.copyOf(strings(info.get("clientIds"))));
        assertEquals(3, info.getJsonArray("clientIds").size(), "no duplicates: " + info);
        assertEquals(Set.of(u1, u2), Set.copyOf(strings(info.get("uids"))));
        assertEquals(3, info.getInt("clientCount"));
        assertEquals(2, info.getInt("uidCount"));
    }

    @Test
    void unknownGroupIsEmpty() {
        String g = Names.unique("ghost");
        JsonObject info = group(g);
        assertEquals(g, info.getString("group"));
        assertEquals(List.of(), strings(info.get("clientIds")));
        assertEquals(List.of(), strings(info.get("uids")));
        assertEquals(0, info.getInt("clientCount"));
        assertEquals(0, info.getInt("uidCount"));
        assertFalse(groupNames().contains(g));
    }

    @Test
    void groupNamesUseTheWholeAlphabet() {
        String g = "Az09_-.:@" + Names.unique("x");
        WsClient c = herald.connect(null);
        api.joinGroup(g, c.clientId());
        assertTrue(groupNames().contains(g), "listed: " + groupNames());
        assertEquals(List.of(c.clientId()), strings(group(g).get("clientIds")));
        api.sendData("/groups/" + Api.seg(g) + "/messages", JsonValue.TRUE);
        assertJsonEquals(JsonValue.TRUE, c.awaitData(WAIT));
    }

    @Test
    void deleteGroupDissolvesItAndKeepsClientsConnected() {
        String g = Names.unique("doomed");
        WsClient a = herald.connect(Names.unique("a"));
        WsClient b = herald.connect(Names.unique("b"));
        api.joinGroup(g, a.clientId());
        api.joinGroup(g, b.clientId());

        api.delete("/groups/" + g).expect(204);

        assertFalse(groupNames().contains(g), "dissolved group still listed");
        assertEquals(0, group(g).getInt("clientCount"));
        api.sendData("/groups/" + g + "/messages", obj("to", "nobody"));
        a.assertNoMessage(QUIET);
        b.assertNoMessage(Duration.ZERO);
        assertTrue(a.isOpen() && b.isOpen(), "members stay connected");
        assertFalse(strings(api.get("/clients/" + a.clientId()).expect(200).object().get("groups")).contains(g));
        api.sendData("/clients/" + a.clientId() + "/messages", obj("still", "here"));
        assertJsonEquals(obj("still", "here"), a.awaitData(WAIT));
    }

    @Test
    void aClosedClientLeavesItsGroups() {
        String g = Names.unique("club");
        WsClient a = herald.connect(Names.unique("a"));
        WsClient b = herald.connect(Names.unique("b"));
        api.joinGroup(g, a.clientId());
        api.joinGroup(g, b.clientId());

        a.close();
        Await.eventually(WAIT, () -> assertEquals(List.of(b.clientId()), strings(group(g).get("clientIds"))));
        b.close();
        Await.eventually(WAIT, () -> assertFalse(groupNames().contains(g), "group of closed clients still listed"));
    }

    @Test
    void joiningWithAnUnknownClientIs404() {
        api.put("/groups/" + Names.unique("g") + "/clients/zzzzzzzzzz-zzzz", JsonValue.EMPTY_JSON_OBJECT)
                .expectError(404, "client_not_found");
    }

    // ---------------------------------------------------------------- sessions

    private String sessionPath(WsClient c) {
        return "/clients/" + c.clientId() + "/session";
    }

    private JsonObject session(WsClient c) {
        return api.get(sessionPath(c)).expect(200).object();
    }

    @Test
    void aNewClientHasAnEmptySession() {
        WsClient c = herald.connect(null);
        assertJsonEquals(JsonValue.EMPTY_JSON_OBJECT, session(c));
    }

    @Test
    void putReplacesTheSession() {
        WsClient c = herald.connect(Names.unique("s"));
        JsonObject first = obj("a", 1, "b", obj("x", List.of(1, 2)), "c", "z");
        api.put(sessionPath(c), first).expect(204);
        assertJsonEquals(first, session(c));

        JsonObject second = obj("d", true);
        api.put(sessionPath(c), second).expect(204);
        assertJsonEquals(second, session(c), "PUT replaces the whole session");
    }

    @Test
    void patchMergesTopLevelKeysAndNullRemoves() {
        WsClient c = herald.connect(Names.unique("s"));
        api.put(sessionPath(c), obj("a", 1, "b", obj("x", 1), "c", "z")).expect(204);

        api.patch(sessionPath(c), obj("a", 2, "b", null, "d", List.of("new"))).expect(204);

        assertJsonEquals(obj("a", 2, "c", "z", "d", List.of("new")), session(c));
        assertJsonEquals(obj("a", 2, "c", "z", "d", List.of("new")),
                api.get("/clients/" + c.clientId()).expect(200).object().get("session"), "session in presence");
    }

    @Test
    void sessionTooLargeIsRefusedAndKeepsTheOldSession() {
        WsClient c = herald.connect(Names.unique("s"));
        JsonObject small = obj("k", "v");
        api.put(sessionPath(c), small).expect(204);

        JsonObject big = obj("blob", "x".repeat(SESSION_MAX_BYTES + 100));
        api.put(sessionPath(c), big).expectError(400, "session_too_large");
        assertJsonEquals(small, session(c), "session unchanged after a refused PUT");

        // each half fits, both together do not
        String half = "y".repeat(SESSION_MAX_BYTES / 2 + 50);
        api.patch(sessionPath(c), obj("one", half)).expect(204);
        api.patch(sessionPath(c), obj("two", half)).expectError(400, "session_too_large");
        assertJsonEquals(obj("k", "v", "one", half), session(c), "session unchanged after a refused PATCH");
    }

    @Test
    void sessionMustBeAnObject() {
        WsClient c = herald.connect(null);
        api.send("PUT", sessionPath(c), "[1,2]").expectError(400, "bad_json");
        api.send("PATCH", sessionPath(c), "{\"broken\":").expectError(400, "bad_json");
    }

    @Test
    void sessionOfAnUnknownClientIs404() {
        String path = "/clients/zzzzzzzzzz-zzzz/session";
        api.get(path).expectError(404, "client_not_found");
        api.put(path, obj("a", 1)).expectError(404, "client_not_found");
        api.patch(path, obj("a", 1)).expectError(404, "client_not_found");
    }
}
