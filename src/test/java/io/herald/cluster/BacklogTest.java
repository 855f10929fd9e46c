package io.herald.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What waits for each other node is bounded in characters; a call goes to all its nodes or to none. */
class BacklogTest {

    @Test
    void chargesUntilTheBoundThenRefusesUntilTheNodeHasRunTheEarlierCalls() {
        Backlog backlog = new Backlog(1000);
        assertNull(backlog.charge(List.of("b"), 600));
        assertNull(backlog.charge(List.of("b"), 400), "exactly at the bound");
        assertEquals("b", backlog.charge(List.of("b"), 1));
        assertEquals(1000, backlog.waiting("b"), "a refused call charges nothing");
        backlog.release("b", 600);
        assertNull(backlog.charge(List.of("b"), 500));
        assertEquals(900, backlog.waiting("b"));
    }

    @Test
    void aCallForSeveralNodesIsChargedToAllOrToNone() {
        Backlog backlog = new Backlog(1000);
        assertNull(backlog.charge(List.of("c"), 900));
        assertEquals("c", backlog.charge(List.of("b", "c", "d"), 200));
        assertEquals(0, backlog.waiting("b"), "rolled back");
        assertEquals(900, backlog.waiting("c"));
        assertEquals(0, backlog.waiting("d"));
        assertNull(backlog.charge(List.of("b", "d"), 200));
        assertEquals(200, backlog.waiting("b"));
        assertEquals(200, backlog.waiting("d"));
    }

    @Test
    void eachNodeHasItsOwnBound() {
        Backlog backlog = new Backlog(1000);
        assertNull(backlog.charge(List.of("slow"), 1000));
        assertEquals("slow", backlog.charge(List.of("slow"), 10));
        assertNull(backlog.charge(List.of("fast"), 1000), "a stuck node does not hold up sends to the others");
    }

    @Test
    void aCallLargerThanTheBoundGoesAloneToANodeWithNothingWaiting() {
        Backlog backlog = new Backlog(1000);
        assertNull(backlog.charge(List.of("b"), 5000));
        assertEquals("b", backlog.charge(List.of("b"), 1), "nothing more while it waits");
        backlog.release("b", 5000);
        assertEquals(0, backlog.waiting("b"));
        assertNull(backlog.charge(List.of("b"), 1));
    }
}
