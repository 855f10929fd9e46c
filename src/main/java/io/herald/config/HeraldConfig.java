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
    @ConfigProperty(name = "herald.send-queue.max-bytes", defaultValue = "1048576")
    long sendQueueMaxBytes;

    @Inject
    @ConfigProperty(name = "herald.api.max-body-bytes", defaultValue = "1048576")
    int apiMaxBodyBytes;

    @Inject
    @ConfigProperty(name = "herald.api.max-batch-messages", defaultValue = "1000")
    int apiMaxBatchMessages;

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
    @ConfigProperty(name = "herald.durable.queue-max-bytes", defaultValue = "67108864")
    long durableQueueMaxBytes;

    @Inject
    @ConfigProperty(name = "herald.durable.replay-page", defaultValue = "200")
    int durableReplayPage;

    @Inject
    @ConfigProperty(name = "herald.durable.page-max-bytes", defaultValue = "524288")
    long durablePageMaxBytes;

    @Inject
    @ConfigProperty(name = "herald.durable.ack-flush-millis", defaultValue = "200")
    long durableAckFlushMillis;

    @Inject
    @ConfigProperty(name = "herald.drain.grace-ms", defaultValue = "10000")
    long drainGraceMillis;

    @Inject
    @ConfigProperty(name = "herald.drain.spread-ms", defaultValue = "3000")
    long drainSpreadMillis;

    @Inject
    @ConfigProperty(name = "herald.cluster.enabled", defaultValue = "false")
    boolean clusterEnabled;

    @Inject
    @ConfigProperty(name = "herald.cluster.name", defaultValue = "herald")
    String clusterName;

    @Inject
    @ConfigProperty(name = "herald.cluster.members")
    Optional<String> clusterMembers;

    @Inject
    @ConfigProperty(name = "herald.cluster.interface", defaultValue = "127.0.0.1")
    String clusterInterface;

    @Inject
    @ConfigProperty(name = "herald.cluster.port", defaultValue = "5701")
    int clusterPort;

    @Inject
    @ConfigProperty(name = "herald.cluster.multicast", defaultValue = "false")
    boolean clusterMulticast;

    @Inject
    @ConfigProperty(name = "herald.cluster.kubernetes.service-dns")
    Optional<String> clusterKubernetesServiceDns;

    @Inject
    @ConfigProperty(name = "herald.cluster.failure-timeout-seconds", defaultValue = "8")
    int clusterFailureTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "herald.cluster.call-timeout-seconds", defaultValue = "10")
    int clusterCallTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "herald.cluster.max-pending-bytes", defaultValue = "67108864")
    long clusterMaxPendingBytes;

    // ---- webhooks (README, "Webhooks")

    @Inject
    @ConfigProperty(name = "herald.webhook.url")
    Optional<String> webhookUrl;

    @Inject
    @ConfigProperty(name = "herald.webhook.secret")
    Optional<String> webhookSecret;

    @Inject
    @ConfigProperty(name = "herald.webhook.events", defaultValue = "*")
    String webhookEvents;

    @Inject
    @ConfigProperty(name = "herald.webhook.offline-delay-ms", defaultValue = "5000")
    long webhookOfflineDelayMillis;

    @Inject
    @ConfigProperty(name = "herald.webhook.unacked-after-seconds", defaultValue = "60")
    int webhookUnackedAfterSeconds;

    @Inject
    @ConfigProperty(name = "herald.webhook.connect-timeout-ms", defaultValue = "2000")
    long webhookConnectTimeoutMillis;

    @Inject
    @ConfigProperty(name = "herald.webhook.timeout-ms", defaultValue = "5000")
    long webhookTimeoutMillis;

    @Inject
    @ConfigProperty(name = "herald.webhook.concurrency", defaultValue = "4")
    int webhookConcurrency;

    @Inject
    @ConfigProperty(name = "herald.webhook.buffer-capacity", defaultValue = "10000")
    int webhookBufferCapacity;

    @Inject
    @ConfigProperty(name = "herald.webhook.retry-initial-ms", defaultValue = "1000")
    long webhookRetryInitialMillis;

    @Inject
    @ConfigProperty(name = "herald.webhook.retry-max-ms", defaultValue = "300000")
    long webhookRetryMaxMillis;

    @Inject
    @ConfigProperty(name = "herald.webhook.max-attempts", defaultValue = "20")
    int webhookMaxAttempts;

    @Inject
    @ConfigProperty(name = "herald.webhook.max-age", defaultValue = "PT24H")
    String webhookMaxAge;

    // ---- security (SECURITY.md; PROTOCOL.md for what clients see)

    @Inject
    @ConfigProperty(name = "herald.token.hmac-secret")
    Optional<String> tokenHmacSecret;

    @Inject
    @ConfigProperty(name = "herald.token.public-key")
    Optional<String> tokenPublicKey;

    @Inject
    @ConfigProperty(name = "herald.token.jwks-url")
    Optional<String> tokenJwksUrl;

    @Inject
    @ConfigProperty(name = "herald.token.jwks-refresh-seconds", defaultValue = "300")
    int tokenJwksRefreshSeconds;

    @Inject
    @ConfigProperty(name = "herald.token.issuer")
    Optional<String> tokenIssuer;

    @Inject
    @ConfigProperty(name = "herald.token.audience")
    Optional<String> tokenAudience;

    @Inject
    @ConfigProperty(name = "herald.token.clock-skew-seconds", defaultValue = "30")
    int tokenClockSkewSeconds;

    @Inject
    @ConfigProperty(name = "herald.token.groups-claim", defaultValue = "groups")
    String tokenGroupsClaim;

    @Inject
    @ConfigProperty(name = "herald.anonymous.enabled", defaultValue = "false")
    boolean anonymousEnabled;

    @Inject
    @ConfigProperty(name = "herald.anonymous.bind-timeout-seconds", defaultValue = "30")
    int anonymousBindTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "herald.allowed-origins")
    Optional<String> allowedOrigins;

    @Inject
    @ConfigProperty(name = "herald.trusted-proxies")
    Optional<String> trustedProxies;

    @Inject
    @ConfigProperty(name = "herald.relay.policy", defaultValue = "none")
    String relayPolicy;

    @Inject
    @ConfigProperty(name = "herald.limits.messages-per-second", defaultValue = "20")
    int messagesPerSecond;

    @Inject
    @ConfigProperty(name = "herald.limits.messages-burst", defaultValue = "40")
    int messagesBurst;

    @Inject
    @ConfigProperty(name = "herald.limits.bytes-per-second", defaultValue = "131072")
    int bytesPerSecond;

    @Inject
    @ConfigProperty(name = "herald.limits.bytes-burst", defaultValue = "524288")
    int bytesBurst;

    @Inject
    @ConfigProperty(name = "herald.limits.flood-close-after", defaultValue = "100")
    int floodCloseAfter;

    @Inject
    @ConfigProperty(name = "herald.limits.clients-per-uid", defaultValue = "20")
    int clientsPerUid;

    @Inject
    @ConfigProperty(name = "herald.limits.clients-per-uid-policy", defaultValue = "close-oldest")
    String clientsPerUidPolicy;

    @Inject
    @ConfigProperty(name = "herald.limits.groups-per-client", defaultValue = "100")
    int groupsPerClient;

    @Inject
    @ConfigProperty(name = "herald.limits.connections-per-address-per-second", defaultValue = "10")
    int connectionsPerAddressPerSecond;

    @Inject
    @ConfigProperty(name = "herald.limits.connections-per-address-burst", defaultValue = "20")
    int connectionsPerAddressBurst;

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

    public long sendQueueMaxBytes() {
        return Math.max(1, sendQueueMaxBytes);
    }

    public int apiMaxBodyBytes() {
        return apiMaxBodyBytes;
    }

    /** Most messages in one {@code POST /api/messages/batch}; more get 413 batch_too_large. */
    public int apiMaxBatchMessages() {
        return Math.max(1, apiMaxBatchMessages);
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

    /**
     * Most characters of JSON data (and uids and keys) that durable pushes waiting to be stored may hold
     * together; a push that would pass it gets 503 store_busy. Bytes for ASCII text.
     */
    public long durableQueueMaxBytes() {
        return Math.max(1, durableQueueMaxBytes);
    }

    public int durableReplayPage() {
        return Math.max(1, durableReplayPage);
    }

    /**
     * Most characters of message data read from the store at once: one page of a replay or catch-up, or of
     * a history request (always at least one message, however large).
     */
    public long durablePageMaxBytes() {
        return Math.max(1, durablePageMaxBytes);
    }

    public long durableAckFlushMillis() {
        return Math.max(10, durableAckFlushMillis);
    }

    /** The longest a drain may take, from its start to the last client closed (README, "Graceful drain"). */
    public long drainGraceMillis() {
        return Math.max(100, drainGraceMillis);
    }

    /**
     * Over how long a drain spreads its closes, so that the clients do not all reconnect at once; at most
     * half the grace, which leaves the other half for the last clients' queued frames to go out.
     */
    public long drainSpreadMillis() {
        return Math.max(0, Math.min(drainSpreadMillis, drainGraceMillis() / 2));
    }

    public boolean clusterEnabled() {
        return clusterEnabled;
    }

    public String clusterName() {
        return clusterName;
    }

    /** Members to join, as host or host:port, for discovery by member list. */
    public List<String> clusterMembers() {
        return Arrays.stream(clusterMembers.orElse("").split(","))
                .map(String::strip)
                .filter(member -> !member.isEmpty())
                .toList();
    }

    public String clusterInterface() {
        return clusterInterface;
    }

    public int clusterPort() {
        return clusterPort;
    }

    public boolean clusterMulticast() {
        return clusterMulticast;
    }

    /** The DNS name of a headless Kubernetes service whose pods are the members. */
    public Optional<String> clusterKubernetesServiceDns() {
        return clusterKubernetesServiceDns.map(String::strip).filter(name -> !name.isEmpty());
    }

    public int clusterFailureTimeoutSeconds() {
        return Math.max(2, clusterFailureTimeoutSeconds);
    }

    public int clusterCallTimeoutSeconds() {
        return Math.max(1, clusterCallTimeoutSeconds);
    }

    /**
     * Most characters of sends, relays and committed messages this node may have on their way to one other
     * node and not yet run there; a send that would pass it gets 503 cluster_busy.
     */
    public long clusterMaxPendingBytes() {
        return Math.max(1, clusterMaxPendingBytes);
    }

    // ---- webhooks

    /** Where webhook events are posted; none: webhooks are off. */
    public Optional<String> webhookUrl() {
        return present(webhookUrl);
    }

    /** The HMAC-SHA256 key for webhook signatures (UTF-8 bytes, or {@code base64:…}); at least 16 bytes. */
    public Optional<String> webhookSecret() {
        return present(webhookSecret);
    }

    /** Comma-separated event types to send, or {@code *} for all. */
    public List<String> webhookEvents() {
        return list(Optional.of(webhookEvents));
    }

    /** How long a uid must have no client before uid.offline is sent (a reconnect within it sends nothing). */
    public long webhookOfflineDelayMillis() {
        return Math.max(0, webhookOfflineDelayMillis);
    }

    public int webhookUnackedAfterSeconds() {
        return Math.max(1, webhookUnackedAfterSeconds);
    }

    public long webhookConnectTimeoutMillis() {
        return Math.max(100, webhookConnectTimeoutMillis);
    }

    public long webhookTimeoutMillis() {
        return Math.max(100, webhookTimeoutMillis);
    }

    public int webhookConcurrency() {
        return Math.max(1, webhookConcurrency);
    }

    public int webhookBufferCapacity() {
        return Math.max(1, webhookBufferCapacity);
    }

    public long webhookRetryInitialMillis() {
        return Math.max(10, webhookRetryInitialMillis);
    }

    public long webhookRetryMaxMillis() {
        return Math.max(webhookRetryInitialMillis(), webhookRetryMaxMillis);
    }

    public int webhookMaxAttempts() {
        return Math.max(1, webhookMaxAttempts);
    }

    /** An event not delivered this long after it happened is given up (dead). */
    public Duration webhookMaxAge() {
        return duration("herald.webhook.max-age", webhookMaxAge);
    }

    // ---- security

    /** The HMAC secret for HS256/384/512 tokens (UTF-8 bytes, or {@code base64:…}); at least 32 bytes. */
    public Optional<String> tokenHmacSecret() {
        return present(tokenHmacSecret);
    }

    /** A PEM public key (RSA or EC) for RS/PS/ES tokens. */
    public Optional<String> tokenPublicKey() {
        return present(tokenPublicKey);
    }

    public Optional<String> tokenJwksUrl() {
        return present(tokenJwksUrl);
    }

    public int tokenJwksRefreshSeconds() {
        return Math.max(1, tokenJwksRefreshSeconds);
    }

    public Optional<String> tokenIssuer() {
        return present(tokenIssuer);
    }

    public Optional<String> tokenAudience() {
        return present(tokenAudience);
    }

    public int tokenClockSkewSeconds() {
        return Math.max(0, tokenClockSkewSeconds);
    }

    /** The claim listing the groups a token's client joins; empty: none. */
    public String tokenGroupsClaim() {
        return tokenGroupsClaim.strip();
    }

    public boolean anonymousEnabled() {
        return anonymousEnabled;
    }

    public int anonymousBindTimeoutSeconds() {
        return Math.max(1, anonymousBindTimeoutSeconds);
    }

    /** Origins allowed to open WebSockets; empty means same-origin only. */
    public List<String> allowedOrigins() {
        return list(allowedOrigins);
    }

    /** Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed. */
    public List<String> trustedProxies() {
        return list(trustedProxies);
    }

    public String relayPolicy() {
        return relayPolicy;
    }

    public int messagesPerSecond() {
        return Math.max(1, messagesPerSecond);
    }

    public int messagesBurst() {
        return Math.max(1, messagesBurst);
    }

    /** Inbound frame bytes a client may send per second, counted before parsing. */
    public int bytesPerSecond() {
        return Math.max(1, bytesPerSecond);
    }

    /** At least one largest frame, so that a frame within the size limit always fits a full bucket. */
    public int bytesBurst() {
        return Math.max(Math.max(1, bytesBurst), frameMaxBytes());
    }

    public int floodCloseAfter() {
        return Math.max(1, floodCloseAfter);
    }

    /** At most this many clients per uid on this node; 0 for no limit. */
    public int clientsPerUid() {
        return Math.max(0, clientsPerUid);
    }

    /** {@code close-oldest} or {@code refuse-new}. */
    public String clientsPerUidPolicy() {
        return clientsPerUidPolicy.strip();
    }

    public int groupsPerClient() {
        return Math.max(1, groupsPerClient);
    }

    /** New connections per second from one address; 0 for no limit. */
    public int connectionsPerAddressPerSecond() {
        return Math.max(0, connectionsPerAddressPerSecond);
    }

    public int connectionsPerAddressBurst() {
        return Math.max(1, connectionsPerAddressBurst);
    }

    private static Optional<String> present(Optional<String> value) {
        return value.map(String::strip).filter(text -> !text.isEmpty());
    }

    private static List<String> list(Optional<String> value) {
        return Arrays.stream(value.orElse("").split(","))
                .map(String::strip)
                .filter(entry -> !entry.isEmpty())
                .toList();
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
