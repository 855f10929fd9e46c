package io.herald.security;

import io.herald.config.Settings;

/**
 * Limits of the REST API's requests: how much one caller may make Herald read and hold.
 *
 * @param maxBodyBytes     {@code herald.api.max-body-bytes}: largest request body; larger gets 413 body_too_large
 * @param maxBatchMessages {@code herald.api.max-batch-messages}: most messages in one
 *                         {@code POST /api/messages/batch}; more get 413 batch_too_large
 * @param channelMaxInFlight {@code herald.api.channel.max-in-flight}: most requests one backend channel
 *                         connection may have unanswered; one more gets 429 too_many_in_flight, undone
 */
public record ApiSettings(int maxBodyBytes, int maxBatchMessages, int channelMaxInFlight) {

    public static ApiSettings from(Settings settings) {
        return new ApiSettings(
                settings.integer("herald.api.max-body-bytes", 1048576, 1),
                settings.integer("herald.api.max-batch-messages", 1000, 1),
                settings.integer("herald.api.channel.max-in-flight", 1000, 1));
    }
}
