package io.herald.routing;

import io.herald.routing.Client;
import io.herald.routing.Outbox;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTest {

    private final Registry registry = new Registry();

    private Client connect(String id) {
        Client client = new Client(id, new Outbox(null, null, 1, 1 << 20));
        registry.add(client);
        return client;
    }

    @Test
    void oneUidHasManyClientsAndABindReplacesTheOldUid() {
        Client a = connect("a");
        Client b = connect("b");
        registry.bind(a, "alice");
        registry.bind(b, "alice");
        assertEquals(Set.of(a, b), Set.copyOf(registry.clientsOfUid("alice")));

        registry.bind(b, "carol");
        assertEquals(List.of(a), List.copyOf(registry.clientsOfUid("alice")));
        assertEquals(List.of(b), List.copyOf(registry.clientsOfUid("carol")));
        assertEquals("carol", b.uid());
        assertEquals(2, registry.uidCount());
    }

    @Test
    void unbindingTheLastClientTakesTheUidOffline() {
        Client a = connect("a");
        registry.bind(a, "alice");
        registry.unbind(a);
        assertFalse(registry.uidOnline("alice"));
        assertNull(a.uid());
        assertEquals(0, registry.uidCount());
    }

    @Test
    void removingAClientUnbindsItAndLeavesItsGroups() {
        Client a = connect("a");
        Client b = connect("b");
        registry.bind(a, "alice");
        registry.join(a, "news");
        registry.join(b, "news");
        registry.join(a, "sport");

        assertTrue(registry.remove(a));
        assertFalse(registry.remove(a), "a second remove is a no-op");
        assertNull(registry.client("a"));
        assertFalse(registry.uidOnline("alice"));
        assertEquals(List.of(b), List.copyOf(registry.clientsOfGroup("news")));
        assertEquals(List.of("news"), registry.groupNames());
        assertEquals(1, registry.clientCount());
    }

    @Test
    void aClosedClientCannotBeBoundOrJoined() {
        Client a = connect("a");
        registry.remove(a);
        assertFalse(registry.bind(a, "alice"));
        assertFalse(registry.join(a, "news"));
        assertEquals(0, registry.uidCount());
        assertEquals(0, registry.groupCount());
    }

    @Test
    void dissolvingAGroupKeepsItsMembersConnected() {
        Client a = connect("a");
        Client b = connect("b");
        registry.bind(a, "alice");
        registry.join(a, "room");
        registry.join(b, "room");
        assertEquals(Set.of("alice"), registry.uidsOfGroup("room"));

        registry.dissolve("room");
        assertTrue(registry.clientsOfGroup("room").isEmpty());
        assertTrue(a.groups().isEmpty());
        assertEquals(2, registry.clientCount());
        assertEquals(0, registry.groupCount());
    }

    @Test
    void concurrentJoinsAndLeavesLeaveConsistentIndexes() throws Exception {
        int clients = 200;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            Client client = connect("c" + i);
            int n = i;
            pool.execute(() -> {
                for (int round = 0; round < 50; round++) {
                    registry.join(client, "g" + (round % 3));
                    registry.bind(client, "u" + (n % 7));
                    registry.leave(client, "g" + (round % 3));
                }
                registry.join(client, "final");
                if (n % 2 == 0) {
                    registry.remove(client);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        pool.shutdown();

        assertEquals(List.of("final"), registry.groupNames());
        assertEquals(clients / 2, registry.clientsOfGroup("final").size());
        assertEquals(clients / 2, registry.clientCount());
        int bound = 0;
        for (int u = 0; u < 7; u++) {
            bound += registry.clientsOfUid("u" + u).size();
        }
        assertEquals(clients / 2, bound);
    }

    @Test
    void aGroupGrowingPastTheSmallSetAndShrinkingToNothingKeepsEveryMemberAndTellsPresenceOnce() {
        List<String> changes = new java.util.ArrayList<>();
        registry.track(Registry.Presence.NONE, (key, present) -> changes.add(key + "=" + present));
        List<Client> members = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Client client = connect("c" + i);
            members.add(client);
            assertTrue(registry.join(client, "g"));
            assertTrue(registry.join(client, "g"), "joining twice changes nothing");
            assertEquals(Set.copyOf(members), Set.copyOf(registry.clientsOfGroup("g")));
            assertEquals(i + 1, registry.clientsOfGroup("g").size());
        }
        for (int i = 0; i < 20; i++) {
            Client client = members.get(i);
            if (i % 2 == 0) {
                registry.leave(client, "g");
                assertEquals(Set.of(), client.groups());
            } else {
                registry.remove(client);
            }
            assertEquals(Set.copyOf(members.subList(i + 1, 20)), Set.copyOf(registry.clientsOfGroup("g")));
        }
        assertFalse(registry.hasGroup("g"));
        assertEquals(List.of("g=true", "g=false"), changes);
    }
}
