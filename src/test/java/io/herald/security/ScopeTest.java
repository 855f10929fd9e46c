package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void everyRestCallHasItsScope() {
        assertEquals(Scope.PUSH, Scope.required("POST", "clients/k2x9abcdef-1/messages"));
        assertEquals(Scope.PUSH, Scope.required("POST", "/uids/alice/messages"));
        assertEquals(Scope.PUSH, Scope.required("POST", "groups/room/messages"));
        assertEquals(Scope.PUSH, Scope.required("POST", "broadcast"));
        assertEquals(Scope.PUSH, Scope.required("POST", "messages"));
        assertEquals(Scope.PUSH, Scope.required("POST", "/messages/batch"));
        assertEquals(Scope.PUSH, Scope.required("post", "/broadcast/"));

        assertEquals(Scope.QUERY, Scope.required("GET", "clients/k2x9abcdef-1"));
        assertEquals(Scope.QUERY, Scope.required("GET", "clients/k2x9abcdef-1/session"));
        assertEquals(Scope.QUERY, Scope.required("GET", "uids/alice"));
        assertEquals(Scope.QUERY, Scope.required("GET", "uids/alice/messages"));
        assertEquals(Scope.QUERY, Scope.required("GET", "groups"));
        assertEquals(Scope.QUERY, Scope.required("GET", "groups/room"));
        assertEquals(Scope.QUERY, Scope.required("GET", "stats"));
        assertEquals(Scope.QUERY, Scope.required("HEAD", "stats"));

        assertEquals(Scope.ADMIN, Scope.required("DELETE", "clients/k2x9abcdef-1"));
        assertEquals(Scope.ADMIN, Scope.required("PUT", "clients/k2x9abcdef-1/uid"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "clients/k2x9abcdef-1/uid"));
        assertEquals(Scope.ADMIN, Scope.required("PUT", "clients/k2x9abcdef-1/session"));
        assertEquals(Scope.ADMIN, Scope.required("PATCH", "clients/k2x9abcdef-1/session"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "uids/alice/clients"));
        assertEquals(Scope.ADMIN, Scope.required("PUT", "groups/room/clients/k2x9abcdef-1"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "groups/room/clients/k2x9abcdef-1"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "groups/room"));
    }

    @Test
    void anUnknownCallNeedsAdmin() {
        assertEquals(Scope.ADMIN, Scope.required("POST", "clients/k2x9abcdef-1"));
        assertEquals(Scope.ADMIN, Scope.required("OPTIONS", "stats"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "uids/alice/messages"));
        assertEquals(Scope.ADMIN, Scope.required("POST", "messages/batch/more"));
        assertEquals(Scope.ADMIN, Scope.required("DELETE", "messages/batch"));
        assertEquals(Scope.QUERY, Scope.required("GET", "messages/batch"));
    }

    @Test
    void keysWithScopesParse() {
        ApiKeys keys = ApiKeys.parse(List.of("pusher:push", "reader:query+push", "boss:admin", "all-of-it"));
        assertEquals(Set.of(Scope.PUSH), keys.scopesOf("pusher"));
        assertEquals(Set.of(Scope.QUERY, Scope.PUSH), keys.scopesOf("reader"));
        assertEquals(Set.of(Scope.ADMIN), keys.scopesOf("boss"));
        assertEquals(EnumSet.allOf(Scope.class), keys.scopesOf("all-of-it"), "a key without scopes has them all");
        assertNull(keys.scopesOf("nobody"));
        assertNull(keys.scopesOf("pusher:push"), "the scope list is not part of the key");
        assertNull(keys.scopesOf(""));
        assertTrue(keys.problems().isEmpty());
    }

    @Test
    void malformedEntriesAreLeftOutAndReported() {
        ApiKeys keys = ApiKeys.parse(List.of("typo:pushh", "empty:", ":admin", "good:query"));
        assertNull(keys.scopesOf("typo"), "an unknown scope never grants anything");
        assertNull(keys.scopesOf("empty"));
        assertEquals(Set.of(Scope.QUERY), keys.scopesOf("good"));
        assertEquals(3, keys.problems().size(), keys.problems().toString());
        assertTrue(ApiKeys.parse(List.of()).isEmpty());
    }

    @Test
    void scopeLabels() {
        assertEquals(Scope.ADMIN, Scope.parse(" Admin "));
        assertEquals("push", Scope.PUSH.label());
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("root"));
    }
}
