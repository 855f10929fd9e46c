package io.herald.api;

import io.herald.security.ApiSettings;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * A body whose {@code Content-Length} is over {@code herald.api.max-body-bytes} gets 413 body_too_large
 * before anything reads a byte of it, whatever its size: reading first would cost the transfer, and a
 * server's own POST limit (WildFly's max-post-size) would answer instead, with its own error. A body
 * without a length (chunked) is cut by {@link Bodies} as it is read.
 *
 * <p>It runs after {@link ApiKeyFilter} (a higher priority number): a call without a valid key gets 401 and
 * one without the scope 403, whatever its size, so that only a caller allowed to send learns the limit.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION + 100)
public class BodyLimitFilter implements ContainerRequestFilter {

    @Inject
    ApiSettings settings;

    @Override
    public void filter(ContainerRequestContext request) {
        int limit = settings.maxBodyBytes();
        if (declaredOver(request.getHeaderString(HttpHeaders.CONTENT_LENGTH), limit)) {
            request.abortWith(new BodyTooLarge(limit).response());
        }
    }

    /**
     * True when the Content-Length header states more than the limit. A missing or malformed header is left
     * to the server (which refuses a malformed one) and to the limit while reading.
     */
    static boolean declaredOver(String contentLength, int limit) {
        if (contentLength == null || contentLength.isBlank()) {
            return false;
        }
        String digits = contentLength.strip();
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        // 19 digits and more may not fit a long, and are far over any int limit
        return digits.length() > 18 || Long.parseLong(digits) > limit;
    }
}
