package io.herald.webhook;

import io.herald.config.HeraldConfig;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The webhook configuration, checked once: webhooks are on only with a URL and a usable secret (Herald
 * never sends unsigned events). {@link #problems()} says why they are off or which entries were ignored.
 */
final class Settings {

    static final int MIN_SECRET_BYTES = 16;

    final URI url;
    final byte[] secret;
    final Set<EventType> events;
    final long offlineDelayMillis;
    final long unackedAfterMillis;
    final Duration connectTimeout;
    final Duration timeout;
    final int concurrency;
    final int bufferCapacity;
    final Backoff backoff;
    final int maxAttempts;
    final long maxAgeMillis;
    final List<String> problems = new ArrayList<>();
    final boolean enabled;

    Settings(HeraldConfig config) {
        URI parsedUrl = null;
        if (config.webhookUrl().isPresent()) {
            try {
                parsedUrl = URI.create(config.webhookUrl().get());
                if (!"http".equals(parsedUrl.getScheme()) && !"https".equals(parsedUrl.getScheme())) {
                    problems.add("herald.webhook.url must be an http or https URL: " + parsedUrl);
                    parsedUrl = null;
                }
            } catch (IllegalArgumentException e) {
                problems.add("herald.webhook.url is not a URL: " + e.getMessage());
            }
        }
        byte[] key = null;
        if (parsedUrl != null) {
            String setting = config.webhookSecret().orElse(null);
            if (setting == null) {
                problems.add("herald.webhook.url is set but herald.webhook.secret is not: Herald sends no unsigned webhooks");
            } else {
                try {
                    key = setting.startsWith("base64:")
                            ? Base64.getDecoder().decode(setting.substring("base64:".length()).strip())
                            : setting.getBytes(StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    problems.add("herald.webhook.secret: the text after base64: is not base64");
                }
                if (key != null && key.length < MIN_SECRET_BYTES) {
                    problems.add("herald.webhook.secret is shorter than " + MIN_SECRET_BYTES + " bytes");
                    key = null;
                }
            }
        }
        this.url = parsedUrl;
        this.secret = key;
        this.events = events(config.webhookEvents(), problems);
        this.offlineDelayMillis = config.webhookOfflineDelayMillis();
        this.unackedAfterMillis = config.webhookUnackedAfterSeconds() * 1000L;
        this.connectTimeout = Duration.ofMillis(config.webhookConnectTimeoutMillis());
        this.timeout = Duration.ofMillis(config.webhookTimeoutMillis());
        this.concurrency = config.webhookConcurrency();
        this.bufferCapacity = config.webhookBufferCapacity();
        this.backoff = new Backoff(config.webhookRetryInitialMillis(), config.webhookRetryMaxMillis());
        this.maxAttempts = config.webhookMaxAttempts();
        this.maxAgeMillis = config.webhookMaxAge().toMillis();
        this.enabled = url != null && secret != null && !events.isEmpty();
    }

    boolean sends(EventType type) {
        return enabled && events.contains(type);
    }

    /** Whether online/offline are tracked at all (either is wanted). */
    boolean tracksPresence() {
        return sends(EventType.UID_ONLINE) || sends(EventType.UID_OFFLINE);
    }

    List<String> problems() {
        return problems;
    }

    private static Set<EventType> events(List<String> names, List<String> problems) {
        Set<EventType> events = EnumSet.noneOf(EventType.class);
        for (String name : names) {
            if (name.equals("*")) {
                events.addAll(EnumSet.allOf(EventType.class));
            } else if (EventType.named(name) != null) {
                events.add(EventType.named(name));
            } else {
                problems.add("herald.webhook.events: unknown event type '" + name + "' ignored");
            }
        }
        return events;
    }
}
