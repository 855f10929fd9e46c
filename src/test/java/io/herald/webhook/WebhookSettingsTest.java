package io.herald.webhook;

import io.herald.config.BadSetting;
import io.herald.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook settings: on with an http(s) URL and a usable secret; any bad entry stops the start, named. */
class WebhookSettingsTest {

    private static final String SECRET = "a-secret-of-32-bytes-0123456789a";

    private static WebhookSettings settings(String url, String secret, String events) {
        Map<String, String> values = new HashMap<>();
        values.put("herald.webhook.url", url);
        values.put("herald.webhook.secret", secret);
        values.put("herald.webhook.events", events);
        return WebhookSettings.from(Settings.of(values));
    }

    private static WebhookSettings settings(String url, String secret) {
        return settings(url, secret, null);
    }

    private static BadSetting refused(String url, String secret, String events) {
        return assertThrows(BadSetting.class, () -> settings(url, secret, events));
    }

    @Test
    void onWithAnHttpsUrlAndASecretForEveryEvent() {
        WebhookSettings settings = settings("https://app.example.com/hooks", SECRET);
        assertTrue(settings.enabled());
        assertEquals(Set.of(EventType.values()), settings.events());
        assertTrue(settings.tracksPresence());
        assertEquals("app.example.com/hooks", settings.destination());
    }

    @Test
    void theDocumentedDefaults() {
        WebhookSettings settings = settings("https://app.example.com/hooks", SECRET);
        assertEquals(5000, settings.offlineDelayMillis());
        assertEquals(60_000, settings.unackedAfterMillis());
        assertEquals(Duration.ofMillis(2000), settings.connectTimeout());
        assertEquals(Duration.ofMillis(5000), settings.timeout());
        assertEquals(16, settings.concurrency());
        assertEquals(10000, settings.bufferCapacity());
        assertEquals(new Backoff(1000, 300000), settings.backoff());
        assertEquals(20, settings.maxAttempts());
        assertEquals(Duration.ofHours(24).toMillis(), settings.maxAgeMillis());
    }

    @Test
    void offWithoutAUrlAndTheSecretIsNotNeeded() {
        WebhookSettings settings = settings(null, null);
        assertFalse(settings.enabled());
        assertFalse(settings.sends(EventType.UID_ONLINE));
        assertEquals("none", settings.destination());
    }

    @Test
    void neverUnsigned() {
        BadSetting e = refused("https://app.example.com/hooks", null, null);
        assertEquals("herald.webhook.secret", e.key());
        assertTrue(e.getMessage().contains("required with herald.webhook.url"), e.getMessage());
    }

    @Test
    void aShortOrMalformedSecretStopsTheStartWithoutShowingIt() {
        BadSetting shortSecret = refused("https://app.example.com/hooks", "short-secret", null);
        assertEquals("herald.webhook.secret", shortSecret.key());
        assertTrue(shortSecret.getMessage().contains("shorter than 16 bytes"), shortSecret.getMessage());
        assertFalse(shortSecret.getMessage().contains("short-secret"), "the secret is never shown");

        BadSetting notBase64 = refused("https://app.example.com/hooks", "base64:***not base64***", null);
        assertTrue(notBase64.getMessage().contains("not base64"), notBase64.getMessage());
    }

    @Test
    void aBase64SecretIsUsedAsItsBytes() {
        byte[] key = new byte[24];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 11);
        }
        WebhookSettings settings = settings("http://127.0.0.1:9000/h", "base64:" + Base64.getEncoder().encodeToString(key));
        assertTrue(settings.enabled());
        assertArrayEquals(key, settings.secret());
    }

    @Test
    void onlyHttpAndHttpsUrls() {
        BadSetting ftp = refused("ftp://app.example.com/hooks", SECRET, null);
        assertEquals("herald.webhook.url", ftp.key());
        assertTrue(ftp.getMessage().contains("http or https"), ftp.getMessage());

        BadSetting garbage = refused("https://bad host/hooks", SECRET, null);
        assertEquals("herald.webhook.url", garbage.key());
    }

    @Test
    void someEventTypes() {
        WebhookSettings settings = settings("https://app.example.com/hooks", SECRET, "uid.offline, group.emptied");
        assertEquals(Set.of(EventType.UID_OFFLINE, EventType.GROUP_EMPTIED), settings.events());
        assertTrue(settings.sends(EventType.UID_OFFLINE));
        assertFalse(settings.sends(EventType.CLIENT_CONNECTED));
    }

    @Test
    void anUnknownEventTypeStopsTheStart() {
        BadSetting e = refused("https://app.example.com/hooks", SECRET, "uid.offline,user.sneezed");
        assertEquals("herald.webhook.events", e.key());
        assertTrue(e.getMessage().startsWith("herald.webhook.events=uid.offline,user.sneezed is not valid"), e.getMessage());

        assertEquals("herald.webhook.events", refused("https://app.example.com/hooks", SECRET, ",").key());
    }

    @Test
    void theRetryCapIsAtLeastTheFirstDelay() {
        WebhookSettings settings = WebhookSettings.from(Settings.of(Map.of(
                "herald.webhook.retry-initial-ms", "5000", "herald.webhook.retry-max-ms", "1000")));
        assertEquals(new Backoff(5000, 5000), settings.backoff());
    }

    @Test
    void theSecretIsLeftOutOfTheReport() {
        String report = settings("https://user:password@app.example.com/hooks?token=t0ken", SECRET).toString();
        assertFalse(report.contains(SECRET), report);
        assertFalse(report.contains("password"), report);
        assertFalse(report.contains("t0ken"), report);
    }

    @Test
    void requestsInFlightAreBounded() {
        assertEquals(WebhookSettings.MAX_CONCURRENCY, WebhookSettings.from(Settings.of(Map.of(
                "herald.webhook.concurrency", String.valueOf(WebhookSettings.MAX_CONCURRENCY)))).concurrency());
        BadSetting over = assertThrows(BadSetting.class, () -> WebhookSettings.from(Settings.of(Map.of(
                "herald.webhook.concurrency", String.valueOf(WebhookSettings.MAX_CONCURRENCY + 1)))));
        assertTrue(over.getMessage().contains("herald.webhook.concurrency"), over.getMessage());
    }
}
