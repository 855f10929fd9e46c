package io.herald.api;

import io.herald.config.HeraldConfig;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Every API call needs {@code Authorization: Bearer <key>} with a key from {@code herald.api.keys}.
 * Keys are compared in constant time, against every configured key, so that timing reveals nothing.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    private static final String BEARER = "Bearer ";

    @Inject
    HeraldConfig config;

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> keys = config.apiKeys();
        if (keys.isEmpty()) {
            request.abortWith(challenge(401, "api_closed",
                    "the REST API is closed: no key is configured (herald.api.keys)"));
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || !known(header.substring(BEARER.length()).strip(), keys)) {
            request.abortWith(challenge(401, "unauthorized",
                    "a valid API key is required: Authorization: Bearer <key>"));
        }
    }

    private static boolean known(String presented, List<String> keys) {
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (String key : keys) {
            match |= MessageDigest.isEqual(candidate, key.getBytes(StandardCharsets.UTF_8));
        }
        return match;
    }

    private static Response challenge(int status, String code, String message) {
        return Errors.builder(status, code, message)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"herald\"")
                .build();
    }
}
