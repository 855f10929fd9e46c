package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RelayPolicyTest {

    @Test
    void noneRelaysNothing() {
        RelayPolicy none = RelayPolicy.parse("none");
        assertFalse(none.toUid());
        assertFalse(none.toGroup("room", Set.of("room")));
    }

    @Test
    void groupsMemberRelaysOnlyIntoTheSendersGroups() {
        RelayPolicy policy = RelayPolicy.parse("groups-member");
        assertTrue(policy.toGroup("room", Set.of("room", "other")));
        assertFalse(policy.toGroup("elsewhere", Set.of("room")));
        assertFalse(policy.toUid());
    }

    @Test
    void listsCombine() {
        RelayPolicy policy = RelayPolicy.parse(" uids , groups-member ");
        assertTrue(policy.toUid());
        assertTrue(policy.toGroup("room", Set.of("room")));
        assertFalse(policy.toGroup("elsewhere", Set.of("room")));
        assertTrue(RelayPolicy.parse("groups").toGroup("elsewhere", Set.of()));
        RelayPolicy all = RelayPolicy.parse("ALL");
        assertTrue(all.toUid());
        assertTrue(all.toGroup("elsewhere", Set.of()));
    }

    @Test
    void unknownWordsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RelayPolicy.parse("everyone"));
        assertThrows(IllegalArgumentException.class, () -> RelayPolicy.parse("uids,group"));
    }
}
