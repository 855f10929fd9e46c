package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one policy: a value of the wrong form or out of range throws, naming the key and the form it takes. */
class SettingsTest {

    private enum Policy { CLOSE_OLDEST, REFUSE_NEW }

    private static Settings of(String key, String value) {
        return Settings.of(Map.of(key, value));
    }

    private static void assertBad(String message, Runnable read) {
        BadSetting e = assertThrows(BadSetting.class, read::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void aMissingOrEmptyValueIsTheDefault() {
        Settings none = Settings.of(Map.of());
        assertEquals(25, none.integer("herald.heartbeat.interval-seconds", 25, 1));
        assertEquals(Duration.ofDays(7), none.duration("herald.durable.retention", "P7D"));
        assertEquals(Policy.CLOSE_OLDEST, none.choice("p", Policy.CLOSE_OLDEST, Policy.class));
        assertEquals(List.of("*"), none.list("herald.webhook.events", "*"));
        assertEquals(Optional.empty(), none.text("herald.webhook.url"));
        assertEquals(Optional.empty(), of("herald.webhook.url", "  ").text("herald.webhook.url"));
        assertEquals(7, of("n", " ").integer("n", 7, 1));
    }

    @Test
    void wholeNumbersInTheirRange() {
        assertEquals(0, of("n", "0").integer("n", 5, 0));
        assertEquals(65535, of("n", " 65535 ").integer("n", 5701, 1, 65535));
        assertEquals(67108864L, of("n", "67108864").number("n", 1, 1));
        assertBad("herald.heartbeat.interval-seconds=abc is not valid: expected a whole number of at least 1",
                () -> of("herald.heartbeat.interval-seconds", "abc").integer("herald.heartbeat.interval-seconds", 25, 1));
        assertBad("herald.heartbeat.interval-seconds=0 is not valid: expected a whole number of at least 1",
                () -> of("herald.heartbeat.interval-seconds", "0").integer("herald.heartbeat.interval-seconds", 25, 1));
        assertBad("herald.cluster.port=70000 is not valid: expected a whole number from 1 to 65535",
                () -> of("herald.cluster.port", "70000").integer("herald.cluster.port", 5701, 1, 65535));
        assertBad("n=2.5 is not valid: expected a whole number of at least 1", () -> of("n", "2.5").number("n", 1, 1));
        assertBad("n=3000000000 is not valid: expected a whole number of at least 1",
                () -> of("n", "3000000000").integer("n", 1, 1));
    }

    @Test
    void durationsArePositiveIso8601() {
        assertEquals(Duration.ofSeconds(10), of("d", "PT10S").duration("d", "P7D"));
        assertBad("herald.durable.retention=7 days is not valid: expected a positive ISO-8601 duration such as P7D,"
                        + " PT12H or PT10M",
                () -> of("herald.durable.retention", "7 days").duration("herald.durable.retention", "P7D"));
        assertBad("d=PT0S is not valid: expected a positive ISO-8601 duration such as P7D, PT12H or PT10M",
                () -> of("d", "PT0S").duration("d", "P7D"));
        assertBad("d=-PT1M is not valid: expected a positive ISO-8601 duration such as P7D, PT12H or PT10M",
                () -> of("d", "-PT1M").duration("d", "P7D"));
    }

    @Test
    void choicesAreWrittenInLowerCaseWithHyphens() {
        assertEquals(Policy.REFUSE_NEW, of("p", "refuse-new").choice("p", Policy.CLOSE_OLDEST, Policy.class));
        assertEquals(Policy.REFUSE_NEW, of("p", "Refuse-New").choice("p", Policy.CLOSE_OLDEST, Policy.class));
        assertBad("herald.limits.clients-per-uid-policy=bogus is not valid: expected one of close-oldest, refuse-new",
                () -> of("herald.limits.clients-per-uid-policy", "bogus")
                        .choice("herald.limits.clients-per-uid-policy", Policy.CLOSE_OLDEST, Policy.class));
        assertBad("p=refuse_new is not valid: expected one of close-oldest, refuse-new",
                () -> of("p", "refuse_new").choice("p", Policy.CLOSE_OLDEST, Policy.class));
    }

    @Test
    void flagsTakeTheFormsMicroProfileConfigKnows() {
        assertTrue(of("f", "true").flag("f", false));
        assertTrue(of("f", "YES").flag("f", false));
        assertTrue(of("f", "on").flag("f", false));
        assertFalse(of("f", "False").flag("f", true));
        assertFalse(of("f", "0").flag("f", true));
        assertBad("herald.cluster.enabled=ture is not valid: expected true or false",
                () -> of("herald.cluster.enabled", "ture").flag("herald.cluster.enabled", false));
    }

    @Test
    void listsAreCommaSeparatedAndStripped() {
        assertEquals(List.of("a", "b:7"), of("l", " a, ,b:7 ,").list("l"));
        assertEquals(List.of(), Settings.of(Map.of()).list("l"));
    }

    @Test
    void aSecretIsNamedButNotShown() {
        BadSetting e = BadSetting.secret("herald.webhook.secret", "at least 16 bytes");
        assertEquals("herald.webhook.secret is not valid: expected at least 16 bytes", e.getMessage());
        assertEquals("herald.webhook.secret", e.key());
    }
}
