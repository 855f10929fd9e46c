package io.herald.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
}
