package io.herald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.config.BadSetting;
import io.herald.config.Settings;
import io.herald.security.LimitSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every feature's settings together: the keys and defaults README documents, and one policy for bad values. */
class FeatureSettingsTest {

    private static final Pattern ROW = Pattern.compile("^\\| (`herald\\.[^|]+) \\| ([^|]+) \\|", Pattern.MULTILINE);
    private static final Pattern QUOTED = Pattern.compile("`([^`]*)`");
    /** Read by the server's own configuration (the datasource), not by Herald's code. */
    private static final Set<String> SERVER_KEYS = Set.of("herald.data.dir");

    /** README's "Configuration" table: each key with its default, null where the default is no value. */
    private static Map<String, String> documented() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Operations"));
        Map<String, String> keys = new LinkedHashMap<>();
        Matcher row = ROW.matcher(table);
        while (row.find()) {
            var names = QUOTED.matcher(row.group(1)).results().map(m -> m.group(1)).toList();
            var defaults = QUOTED.matcher(row.group(2)).results().map(m -> m.group(1)).toList();
            for (int i = 0; i < names.size(); i++) {
                keys.put(names.get(i), defaults.size() == names.size() ? defaults.get(i) : null);
            }
        }
        return keys;
    }

    /** The keys the features read, recorded as they ask for them. */
    private static Set<String> keysRead() {
        Set<String> asked = new TreeSet<>();
        FeatureSettings.All.read(Settings.of(new HashMap<>() {
            @Override
            public String get(Object key) {
                asked.add((String) key);
                return null;
            }
        }));
        return asked;
    }

    @Test
    void theFeaturesReadExactlyTheDocumentedKeys() throws IOException {
        Set<String> documented = new TreeSet<>(documented().keySet());
        documented.removeAll(SERVER_KEYS);
        assertEquals(documented, keysRead());
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() throws IOException {
        Map<String, String> given = new HashMap<>();
        documented().forEach((key, value) -> {
            if (value != null && !SERVER_KEYS.contains(key)) {
                given.put(key, value);
            }
        });
        assertTrue(given.size() > 50, "README's table was read: " + given.keySet());
        assertEquals(FeatureSettings.All.read(Settings.of(Map.of())).each().toString(),
                FeatureSettings.All.read(Settings.of(given)).each().toString());
    }

    @Test
    void anUnknownPolicyStopsTheStartNamingTheKey() {
        BadSetting e = assertThrows(BadSetting.class, () -> FeatureSettings.All.read(Settings.of(Map.of(
                "herald.limits.clients-per-uid-policy", "bogus"))));
        assertEquals("herald.limits.clients-per-uid-policy=bogus is not valid: expected one of close-oldest,"
                + " refuse-new", e.getMessage());
        assertEquals(LimitSettings.UidPolicy.REFUSE_NEW, FeatureSettings.All.read(Settings.of(Map.of(
                "herald.limits.clients-per-uid-policy", "refuse-new"))).limits().clientsPerUidPolicy());
    }

    @Test
    void eachFeatureStopsTheStartOnABadValue() {
        Map<String, String> bad = Map.of(
                "herald.relay.policy", "everyone",
                "herald.trusted-proxies", "10.0.0.0/8,proxy.example.com",
                "herald.durable.purge-interval", "10m",
                "herald.cluster.port", "0",
                "herald.drain.grace-ms", "soon",
                "herald.api.max-batch-messages", "-1",
                "herald.heartbeat.timeout-seconds", "0",
                "herald.token.jwks-url", "not a url",
                "herald.webhook.max-attempts", "0",
                "herald.anonymous.enabled", "maybe");
        bad.forEach((key, value) -> {
            BadSetting e = assertThrows(BadSetting.class, () -> FeatureSettings.All.read(Settings.of(Map.of(key, value))));
            assertEquals(key, e.key());
            assertTrue(e.getMessage().startsWith(key + "="), e.getMessage());
        });
    }

    @Test
    void aBadApiKeyEntryStopsTheStartWithoutShowingTheKeys() {
        BadSetting e = assertThrows(BadSetting.class, () -> FeatureSettings.All.read(Settings.of(Map.of(
                "herald.api.keys", "k3y-one:push,k3y-two:pushh"))));
        assertEquals("herald.api.keys", e.key());
        assertTrue(e.getMessage().contains("entry 2"), e.getMessage());
        assertFalse(e.getMessage().contains("k3y"), e.getMessage());
    }

    @Test
    void theReportShowsNoSecret() {
        String report = FeatureSettings.All.read(Settings.of(Map.of(
                "herald.api.keys", "api-k3y",
                "herald.token.hmac-secret", "token-secret-of-more-than-32-bytes!",
                "herald.webhook.url", "https://hooks.example.com/in?token=hook-t0ken",
                "herald.webhook.secret", "webhook-secret-0123456789"))).each().toString();
        for (String secret : new String[]{"api-k3y", "token-secret", "hook-t0ken", "webhook-secret"}) {
            assertFalse(report.contains(secret), report);
        }
    }

    @Test
    void derivedLimits() {
        FeatureSettings.All all = FeatureSettings.All.read(Settings.of(Map.of(
                "herald.frame.max-bytes", "1000000", "herald.drain.grace-ms", "4000", "herald.drain.spread-ms", "3000")));
        assertEquals(1000000, all.limits().bytesBurst(), "the burst takes at least one largest frame");
        assertEquals(2000, all.drain().spreadMillis(), "a drain spreads its closes over at most half the grace");
        assertEquals(25_000, all.connection().heartbeatIntervalMillis());
    }
}
