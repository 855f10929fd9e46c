package io.herald.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly the two health probes are open without an API key. */
class ApiKeyFilterTest {

    @Test
    void theHealthProbesAreOpen() {
        assertTrue(ApiKeyFilter.open("GET", "health/live"));
        assertTrue(ApiKeyFilter.open("GET", "/health/ready"));
        assertTrue(ApiKeyFilter.open("HEAD", "/health/live"));
    }

    @Test
    void nothingElseIs() {
        for (String path : new String[]{"health", "/health/", "health/live/", "health/ready/x", "health/livex",
                "metrics", "stats", "health%2Flive", "health/live;x=1", "/health/../stats", "HEALTH/LIVE",
                "x/health/live", ""}) {
            assertFalse(ApiKeyFilter.open("GET", path), path);
        }
        for (String method : new String[]{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get"}) {
            assertFalse(ApiKeyFilter.open(method, "health/live"), method);
        }
    }
}
