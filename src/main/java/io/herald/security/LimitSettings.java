package io.herald.security;

import io.herald.config.Settings;
import io.herald.routing.ConnectionSettings;

/**
 * The limits on what one client, uid or address may do ({@code herald.limits.*} but the groups per client,
 * which {@link ConnectionSettings} holds).
 *
 * @param messagesPerSecond              frames per client per second, counted before parsing
 * @param messagesBurst                  frames a client may send at once
 * @param bytesPerSecond                 inbound frame bytes a client may send per second, counted before parsing
 * @param bytesBurst                     bytes a client may send at once; at least one largest frame, so that a
 *                                       frame within the size limit always fits a full bucket
 * @param floodCloseAfter                dropped frames within 10 s that close the client (4002)
 * @param clientsPerUid                  at most this many clients per uid on this node; 0 for no limit
 * @param clientsPerUidPolicy            what happens to the client over that limit
 * @param connectionsPerAddressPerSecond new connections per second from one address; 0 for no limit
 * @param connectionsPerAddressBurst     new connections one address may open at once
 */
public record LimitSettings(int messagesPerSecond, int messagesBurst, int bytesPerSecond, int bytesBurst,
                            int floodCloseAfter, int clientsPerUid, UidPolicy clientsPerUidPolicy,
                            int connectionsPerAddressPerSecond, int connectionsPerAddressBurst) {

    /** {@code herald.limits.clients-per-uid-policy}. */
    public enum UidPolicy {
        /** The newcomer is accepted and the uid's oldest client closed (4101). */
        CLOSE_OLDEST,
        /** The newcomer is refused (429), or closed (4102) if it slipped past the check in a race. */
        REFUSE_NEW;

        /** As the setting writes it, for the startup report. */
        @Override
        public String toString() {
            return Settings.word(this);
        }
    }

    public static LimitSettings from(Settings settings, ConnectionSettings connection) {
        return new LimitSettings(
                settings.integer("herald.limits.messages-per-second", 20, 1),
                settings.integer("herald.limits.messages-burst", 40, 1),
                settings.integer("herald.limits.bytes-per-second", 131072, 1),
                Math.max(settings.integer("herald.limits.bytes-burst", 524288, 1), connection.frameMaxBytes()),
                settings.integer("herald.limits.flood-close-after", 100, 1),
                settings.integer("herald.limits.clients-per-uid", 20, 0),
                settings.choice("herald.limits.clients-per-uid-policy", UidPolicy.CLOSE_OLDEST, UidPolicy.class),
                settings.integer("herald.limits.connections-per-address-per-second", 10, 0),
                settings.integer("herald.limits.connections-per-address-burst", 20, 1));
    }
}
