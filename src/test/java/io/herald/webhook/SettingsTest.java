package io.herald.webhook;

import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook settings: on only with an http(s) URL and a usable secret; each bad entry is named. */
class SettingsTest {

    private static final String SECRET = "a-secret-of-32-bytes-0123456789a";

    /** Configuration with only the webhook entries a test gives. */
    private static final class Config extends HeraldConfig {
        String url;
        String secret;
        List<String> events = List.of("*");

        @Override
        public Optional<String> webhookUrl() {
            return Optional.ofNullable(url);
        }

        @Override
        public Optional<String> webhookSecret() {
            return Optional.ofNullable(secret);
        }

        @Override
        public List<String> webhookEvents() {
            return events;
        }

        @Override
        public Duration webhookMaxAge() {
            return Duration.ofHours(24);
        }
    }

    private static Settings settings(String url, String secret, String... events) {
        Config config = new Config();
        config.url = url;
        config.secret = secret;
        if (events.length > 0) {
            config.events = List.of(events);
        }
        return new Settings(config);
    }

    @Test
    void onWithAnHttpsUrlAndASecretForEveryEvent() {
        Settings settings = settings("https://app.example.com/hooks", SECRET);
        assertTrue(settings.enabled);
        assertEquals(List.of(), settings.problems());
        assertEquals(Set.of(EventType.values()), settings.events);
        assertTrue(settings.tracksPresence());
    }

    @Test
    void offWithoutAUrlAndNothingToSay() {
        Settings settings = settings(null, SECRET);
        assertFalse(settings.enabled);
        assertEquals(List.of(), settings.problems());
    }

    @Test
    void neverUnsigned() {
        Settings settings = settings("https://app.example.com/hooks", null);
        assertFalse(settings.enabled);
        assertEquals(1, settings.problems().size());
        assertTrue(settings.problems().get(0).contains("herald.webhook.secret is not"), settings.problems().toString());
    }

    @Test
    void aShortOrMalformedSecretTurnsThemOff() {
        Settings shortSecret = settings("https://app.example.com/hooks", "short");
        assertFalse(shortSecret.enabled);
        assertTrue(shortSecret.problems().get(0).contains("shorter than 16 bytes"), shortSecret.problems().toString());

        Settings notBase64 = settings("https://app.example.com/hooks", "base64:***not base64***");
        assertFalse(notBase64.enabled);
        assertTrue(notBase64.problems().get(0).contains("not base64"), notBase64.problems().toString());
    }

    @Test
    void aBase64SecretIsUsedAsItsBytes() {
        byte[] key = new byte[24];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 11);
        }
        Settings settings = settings("http://127.0.0.1:9000/h", "base64:" + java.util.Base64.getEncoder().encodeToString(key));
        assertTrue(settings.enabled, settings.problems().toString());
        assertArrayEquals(key, settings.secret);
    }

    @Test
    void onlyHttpAndHttpsUrls() {
        Settings ftp = settings("ftp://app.example.com/hooks", SECRET);
        assertFalse(ftp.enabled);
        assertTrue(ftp.problems().get(0).contains("http or https"), ftp.problems().toString());

        Settings garbage = settings("https://bad host/hooks", SECRET);
        assertFalse(garbage.enabled);
        assertTrue(garbage.problems().get(0).contains("not a URL"), garbage.problems().toString());
    }

    @Test
    void unknownEventTypesAreNamedAndIgnored() {
        Settings settings = settings("https://app.example.com/hooks", SECRET, "uid.offline", "user.sneezed");
        assertTrue(settings.enabled);
        assertEquals(Set.of(EventType.UID_OFFLINE), settings.events);
        assertTrue(settings.sends(EventType.UID_OFFLINE));
        assertFalse(settings.sends(EventType.CLIENT_CONNECTED));
        assertEquals(List.of("herald.webhook.events: unknown event type 'user.sneezed' ignored"), settings.problems());

        Settings none = settings("https://app.example.com/hooks", SECRET, "user.sneezed");
        assertFalse(none.enabled, "no known event type: nothing to send");
    }
}
