package io.herald.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every setting Herald reads, in one place. Values come from MicroProfile Config (system properties,
 * environment variables such as {@code HERALD_API_KEYS}, or the server's config sources); the defaults
 * here are the documented ones (README, "Configuration").
 */
@ApplicationScoped
public class HeraldConfig {

    @Inject
    @ConfigProperty(name = "herald.dev-mode", defaultValue = "false")
    boolean devMode;

    @Inject
    @ConfigProperty(name = "herald.api.keys")
    Optional<String> apiKeys;

    @Inject
    @ConfigProperty(name = "herald.heartbeat.interval-seconds", defaultValue = "25")
    int heartbeatIntervalSeconds;

    @Inject
    @ConfigProperty(name = "herald.heartbeat.timeout-seconds", defaultValue = "60")
    int heartbeatTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "herald.frame.max-bytes", defaultValue = "65536")
    int frameMaxBytes;

    @Inject
    @ConfigProperty(name = "herald.send-queue.max-frames", defaultValue = "1000")
    int sendQueueMaxFrames;

    @Inject
    @ConfigProperty(name = "herald.api.max-body-bytes", defaultValue = "1048576")
    int apiMaxBodyBytes;

    @Inject
    @ConfigProperty(name = "herald.session.max-bytes", defaultValue = "4096")
    int sessionMaxBytes;

    @Inject
    @ConfigProperty(name = "herald.durable.retention", defaultValue = "P7D")
    String durableRetention;

    @Inject
    @ConfigProperty(name = "herald.durable.max-per-uid", defaultValue = "10000")
    long durableMaxPerUid;

    @Inject
    @ConfigProperty(name = "herald.durable.purge-interval", defaultValue = "PT10M")
    String durablePurgeInterval;

    @Inject
    @ConfigProperty(name = "herald.durable.batch-size", defaultValue = "500")
    int durableBatchSize;

    @Inject
    @ConfigProperty(name = "herald.durable.queue-capacity", defaultValue = "20000")
    int durableQueueCapacity;

    @Inject
    @ConfigProperty(name = "herald.durable.replay-page", defaultValue = "200")
    int durableReplayPage;

    @Inject
    @ConfigProperty(name = "herald.durable.ack-flush-millis", defaultValue = "200")
    long durableAckFlushMillis;

    public boolean devMode() {
        return devMode;
    }

    /** The configured REST API keys; empty when the API is closed. */
    public List<String> apiKeys() {
        return Arrays.stream(apiKeys.orElse("").split(","))
                .map(String::strip)
                .filter(key -> !key.isEmpty())
                .toList();
    }

    public long heartbeatIntervalMillis() {
        return Math.max(1, heartbeatIntervalSeconds) * 1000L;
    }

    public long heartbeatTimeoutMillis() {
        return Math.max(1, heartbeatTimeoutSeconds) * 1000L;
    }

    public int frameMaxBytes() {
        return frameMaxBytes;
    }

    public int sendQueueMaxFrames() {
        return Math.max(1, sendQueueMaxFrames);
    }

    public int apiMaxBodyBytes() {
        return apiMaxBodyBytes;
    }

    public int sessionMaxBytes() {
        return sessionMaxBytes;
    }

    /** How long durable messages are kept (ISO-8601 duration, e.g. P7D, PT12H). */
    public Duration durableRetention() {
        return duration("herald.durable.retention", durableRetention);
    }

    public long durableMaxPerUid() {
        return Math.max(1, durableMaxPerUid);
    }

    public Duration durablePurgeInterval() {
        return duration("herald.durable.purge-interval", durablePurgeInterval);
    }

    public int durableBatchSize() {
        return Math.max(1, durableBatchSize);
    }

    public int durableQueueCapacity() {
        return Math.max(1, durableQueueCapacity);
    }

    public int durableReplayPage() {
        return Math.max(1, durableReplayPage);
    }

    public long durableAckFlushMillis() {
        return Math.max(10, durableAckFlushMillis);
    }

    private static Duration duration(String key, String value) {
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(key + " must be positive: " + value);
            }
            return duration;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " is not an ISO-8601 duration such as P7D or PT10M: " + value, e);
        }
    }
}
