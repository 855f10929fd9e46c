package io.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.config.BadSetting;
import io.herald.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** herald.durable.groups.rules: what a rule says, which groups it names, and what is refused. */
class GroupPolicyTest {

    private static DurableSettings settings(String rules) {
        return DurableSettings.from(Settings.of(Map.of(GroupPolicy.RULES_KEY, rules,
                "herald.durable.groups.max-per-group", "500", "herald.durable.groups.join-last", "2")));
    }

    @Test
    void theFirstRuleThatNamesTheGroupAppliesAndWhatItLeavesOutIsTheDefault() {
        DurableSettings durable = settings("dash:* max-per-group=1 join-last=1, dash:big retention=P7D, "
                + "room:* retention=PT1H");
        assertEquals(new GroupPolicy(Duration.ofDays(1), 1, 1), durable.groupPolicy("dash:big"));
        assertEquals(new GroupPolicy(Duration.ofHours(1), 500, 2), durable.groupPolicy("room:7"));
        assertEquals(new GroupPolicy(Duration.ofDays(1), 500, 2), durable.groupPolicy("lobby"));
        assertEquals(durable.groups(), durable.groupPolicy("dash"), "a prefix pattern needs the whole prefix");
        assertTrue(durable.anyJoinLast());
    }

    @Test
    void aNameWithoutStarNamesThatGroupOnly() {
        DurableSettings durable = settings("lobby join-last=0");
        assertEquals(0, durable.groupPolicy("lobby").joinLast());
        assertEquals(2, durable.groupPolicy("lobby2").joinLast());
    }

    @Test
    void joinLastIsOffOnlyWhenNoRuleNorTheDefaultTurnsItOn() {
        assertFalse(DurableSettings.from(Settings.of(Map.of())).anyJoinLast());
        assertTrue(DurableSettings.from(Settings.of(Map.of(GroupPolicy.RULES_KEY, "feed:* join-last=1"))).anyJoinLast());
    }

    @Test
    void theKeyPatternEscapesTheLikeWildcardThatNamesMayHold() {
        List<GroupPolicy.Rule> rules = settings("a_b* join-last=1, c_d max-per-group=3, * join-last=4").groupRules();
        assertEquals("#a!_b%", rules.get(0).keyPattern());
        assertEquals("#c!_d", rules.get(1).keyPattern());
        assertEquals("#%", rules.get(2).keyPattern());
        assertTrue(rules.get(2).matches("anything"));
    }

    @Test
    void aBadRuleFailsWithTheKeyAndTheAcceptedForm() {
        for (String bad : List.of("dash:*", "da#sh max-per-group=1", "dash:* max-per-group=0", "dash:* join-last=1001",
                "dash:* retention=7d", "dash:* keep=3", "dash:* join-last", "dash:** join-last=1")) {
            BadSetting e = assertThrows(BadSetting.class, () -> settings(bad), bad);
            assertEquals(GroupPolicy.RULES_KEY, e.key());
            assertTrue(e.getMessage().contains("join-last=<0..1000>"), e.getMessage());
        }
    }
}
