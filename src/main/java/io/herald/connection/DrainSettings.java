package io.herald.connection;

import io.herald.config.Settings;

/**
 * How a drain closes the clients (README, "Graceful drain").
 *
 * @param graceMillis  {@code herald.drain.grace-ms}: the longest a drain may take, from its start to the last
 *                     client closed
 * @param spreadMillis {@code herald.drain.spread-ms}: over how long a drain spreads its closes, so that the
 *                     clients do not all reconnect at once; at most half the grace, which leaves the other
 *                     half for the last clients' queued frames to go out
 */
public record DrainSettings(long graceMillis, long spreadMillis) {

    public static DrainSettings from(Settings settings) {
        long grace = settings.number("herald.drain.grace-ms", 10000, 100);
        long spread = settings.number("herald.drain.spread-ms", 3000, 0);
        return new DrainSettings(grace, Math.min(spread, grace / 2));
    }
}
