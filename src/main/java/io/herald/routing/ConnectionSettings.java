package io.herald.routing;

import io.herald.config.Settings;

/**
 * What one client connection may hold and how it is kept alive: README, "Configuration". Here, below every
 * package that uses it (the endpoint, live delivery, the gateway, tokens).
 *
 * @param heartbeatIntervalSeconds {@code herald.heartbeat.interval-seconds}: a client silent this long receives a ping
 * @param heartbeatTimeoutSeconds  {@code herald.heartbeat.timeout-seconds}: a client silent this long is closed (4000)
 * @param frameMaxBytes            {@code herald.frame.max-bytes}: largest frame a client may send (1009)
 * @param sendQueueMaxFrames       {@code herald.send-queue.max-frames}: frames that may wait for one client (4001)
 * @param sendQueueMaxBytes        {@code herald.send-queue.max-bytes}: bytes of frame text that may wait (4001)
 * @param sessionMaxBytes          {@code herald.session.max-bytes}: largest session of one client, as JSON
 * @param groupsPerClient          {@code herald.limits.groups-per-client}: groups one client may be in
 * @param postBodySeconds          {@code herald.limits.post-body-seconds}: an event stream's post whose body has not
 *                                 all arrived this long after its head is answered 408
 */
public record ConnectionSettings(int heartbeatIntervalSeconds, int heartbeatTimeoutSeconds, int frameMaxBytes,
                                 int sendQueueMaxFrames, long sendQueueMaxBytes, int sessionMaxBytes,
                                 int groupsPerClient, int postBodySeconds) {

    public static ConnectionSettings from(Settings settings) {
        return new ConnectionSettings(
                settings.integer("herald.heartbeat.interval-seconds", 25, 1),
                settings.integer("herald.heartbeat.timeout-seconds", 60, 1),
                settings.integer("herald.frame.max-bytes", 65536, 1),
                settings.integer("herald.send-queue.max-frames", 1000, 1),
                settings.number("herald.send-queue.max-bytes", 1048576, 1),
                settings.integer("herald.session.max-bytes", 4096, 1),
                settings.integer("herald.limits.groups-per-client", 100, 1),
                settings.integer("herald.limits.post-body-seconds", 10, 1));
    }

    public long heartbeatIntervalMillis() {
        return heartbeatIntervalSeconds * 1000L;
    }

    public long heartbeatTimeoutMillis() {
        return heartbeatTimeoutSeconds * 1000L;
    }
}
