package io.herald.webhook;

import io.herald.config.BadSetting;
import io.herald.config.Settings;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The webhook configuration ({@code herald.webhook.*}, README "Webhooks"): on with a URL, which needs a
 * usable secret (Herald never sends unsigned events); off without one.
 *
 * @param url                 where events are posted (http or https); none: webhooks are off
 * @param secret              the HMAC-SHA256 key of the signatures; null when webhooks are off
 * @param events              the event types to send
 * @param offlineDelayMillis  how long a uid must have no client before uid.offline is sent (a reconnect
 *                            within it sends nothing)
 * @param unackedAfterSeconds a durable message not acknowledged this long is reported
 * @param connectTimeoutMillis the connect timeout
 * @param timeoutMillis       how long a request may wait for the answer
 * @param concurrency         requests in flight at once, per node
 * @param bufferCapacity      events waiting in memory to be written to the outbox; more are dropped
 * @param backoff             the delays between attempts ({@code herald.webhook.retry-initial-ms}, and
 *                            {@code herald.webhook.retry-max-ms}, at least the initial one)
 * @param maxAttempts         an event is given up (dead) after this many attempts
 * @param maxAge              or this long after it happened
 */
public record WebhookSettings(Optional<URI> url, byte[] secret, Set<EventType> events, long offlineDelayMillis,
                              int unackedAfterSeconds, long connectTimeoutMillis, long timeoutMillis, int concurrency,
                              int bufferCapacity, Backoff backoff, int maxAttempts, Duration maxAge) {

    private static final int MIN_SECRET_BYTES = 16;
    /**
     * Requests in flight per node at most: each holds a connection (an open file) and the events read ahead
     * for it; more than this no endpoint needs from one node.
     */
    static final int MAX_CONCURRENCY = 1024;
    private static final String URL = "herald.webhook.url";
    private static final String SECRET = "herald.webhook.secret";
    private static final String EVENTS = "herald.webhook.events";

    public static WebhookSettings from(Settings settings) {
        Optional<URI> url = settings.text(URL).map(WebhookSettings::url);
        Optional<String> secretText = settings.text(SECRET);
        byte[] secret = url.isPresent() ? secret(secretText) : null; // without a URL it is not used
        long retryInitial = settings.number("herald.webhook.retry-initial-ms", 1000, 10);
        return new WebhookSettings(
                url,
                secret,
                events(settings.list(EVENTS, "*")),
                settings.number("herald.webhook.offline-delay-ms", 5000, 0),
                settings.integer("herald.webhook.unacked-after-seconds", 60, 1),
                settings.number("herald.webhook.connect-timeout-ms", 2000, 100),
                settings.number("herald.webhook.timeout-ms", 5000, 100),
                settings.integer("herald.webhook.concurrency", 16, 1, MAX_CONCURRENCY),
                settings.integer("herald.webhook.buffer-capacity", 10000, 1),
                new Backoff(retryInitial, Math.max(retryInitial, settings.number("herald.webhook.retry-max-ms", 300000, 1))),
                settings.integer("herald.webhook.max-attempts", 20, 1),
                settings.duration("herald.webhook.max-age", "PT24H"));
    }

    /** The URL may carry credentials (user info, a token in the query): never in a message. */
    private static URI url(String text) {
        try {
            URI url = URI.create(text);
            if ("http".equals(url.getScheme()) || "https".equals(url.getScheme())) {
                return url;
            }
        } catch (IllegalArgumentException e) {
            // not a URL: the same message as another scheme
        }
        throw BadSetting.secret(URL, "an http or https URL");
    }

    private static byte[] secret(Optional<String> setting) {
        String form = "a secret of at least " + MIN_SECRET_BYTES + " bytes (UTF-8, or base64: and its base64)";
        if (setting.isEmpty()) {
            throw BadSetting.secret(SECRET, form + ", required with " + URL + ": Herald sends no unsigned webhooks");
        }
        String text = setting.get();
        byte[] key;
        try {
            key = text.startsWith("base64:")
                    ? Base64.getDecoder().decode(text.substring("base64:".length()).strip())
                    : text.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BadSetting.secret(SECRET, form + "; the text after base64: is not base64");
        }
        if (key.length < MIN_SECRET_BYTES) {
            throw BadSetting.secret(SECRET, form + "; it is shorter than " + MIN_SECRET_BYTES + " bytes");
        }
        return key;
    }

    private static Set<EventType> events(List<String> names) {
        Set<EventType> events = EnumSet.noneOf(EventType.class);
        for (String name : names) {
            if (name.equals("*")) {
                events.addAll(EnumSet.allOf(EventType.class));
            } else if (EventType.named(name) != null) {
                events.add(EventType.named(name));
            } else {
                throw new BadSetting(EVENTS, String.join(",", names), "* or comma-separated event types of "
                        + String.join(", ", EnumSet.allOf(EventType.class).stream().map(EventType::wireName).toList()));
            }
        }
        if (events.isEmpty()) {
            throw new BadSetting(EVENTS, String.join(",", names), "* or at least one event type");
        }
        return Set.copyOf(events);
    }

    public boolean enabled() {
        return url.isPresent();
    }

    boolean sends(EventType type) {
        return enabled() && events.contains(type);
    }

    /** Whether online/offline are tracked at all (either is wanted). */
    boolean tracksPresence() {
        return sends(EventType.UID_ONLINE) || sends(EventType.UID_OFFLINE);
    }

    long unackedAfterMillis() {
        return unackedAfterSeconds * 1000L;
    }

    Duration connectTimeout() {
        return Duration.ofMillis(connectTimeoutMillis);
    }

    Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    long maxAgeMillis() {
        return maxAge.toMillis();
    }

    /** Where events go, without what the URL may carry besides (user info, query); for logs. */
    String destination() {
        return url.map(u -> u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + u.getPath()).orElse("none");
    }

    /** Without the secret, and the URL only as {@link #destination()}: for logs. */
    @Override
    public String toString() {
        return "WebhookSettings[url=" + destination() + ", secret=" + (secret == null ? "none" : "set") + ", events="
                + events.stream().map(EventType::wireName).sorted().toList() + ", offlineDelayMillis="
                + offlineDelayMillis + ", unackedAfterSeconds=" + unackedAfterSeconds + ", connectTimeoutMillis="
                + connectTimeoutMillis + ", timeoutMillis=" + timeoutMillis + ", concurrency=" + concurrency
                + ", bufferCapacity=" + bufferCapacity + ", retryInitialMillis=" + backoff.initialMillis()
                + ", retryMaxMillis=" + backoff.maxMillis() + ", maxAttempts=" + maxAttempts + ", maxAge=" + maxAge + "]";
    }
}
