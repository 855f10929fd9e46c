package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void theChannelIsFoundFromTheDeploymentsBaseUrl() {
        assertEquals(URI.create("ws://h:8080/herald/api/ws"), Settings.endpoint(URI.create("http://h:8080/herald/")));
        assertEquals(URI.create("ws://h:8080/herald/api/ws"), Settings.endpoint(URI.create("http://h:8080/herald")));
        assertEquals(URI.create("wss://h/api/ws"), Settings.endpoint(URI.create("https://h/")));
        assertEquals(URI.create("ws://h/x/api/ws"), Settings.endpoint(URI.create("http://h/x/api/")));
        assertEquals(URI.create("ws://h/x/api/ws"), Settings.endpoint(URI.create("ws://h/x/api/ws")));
        assertThrows(IllegalArgumentException.class, () -> Settings.endpoint(URI.create("ftp://h/")));
    }

    @Test
    void aMissingKeyOrANonPositiveLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HeraldClient.builder().uri("ws://h/api/ws").build());
        assertThrows(IllegalArgumentException.class,
                () -> HeraldClient.builder().uri("ws://h/api/ws").apiKey("k").maxInFlight(0).build());
    }
}
