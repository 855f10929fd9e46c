package io.herald.api;

import io.herald.security.ApiAccess;
import io.herald.security.Scope;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.util.Set;

/**
 * Why a backend's call is refused for its API key: 401 without a known key (or with none configured), 403
 * without the scope the call needs. One wording for the REST API ({@link ApiKeyFilter}) and the backend
 * channel ({@link ChannelFilter} before the upgrade, {@link Channel} per request).
 *
 * @param authenticate the {@code WWW-Authenticate} header's value
 */
record KeyRefusal(int status, String code, String message, String authenticate) {

    private static final String BEARER = "Bearer ";
    private static final String REALM = "Bearer realm=\"herald\"";

    static final KeyRefusal API_CLOSED = new KeyRefusal(401, "api_closed",
            "the REST API is closed: no key is configured (herald.api.keys)", REALM);
    static final KeyRefusal UNAUTHORIZED = new KeyRefusal(401, "unauthorized",
            "a valid API key is required: Authorization: Bearer <key>", REALM);

    /** The scopes of the key an {@code Authorization} header presents, or null if it presents no known key. */
    static Set<Scope> scopes(ApiAccess access, String authorization) {
        return authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? null
                : access.scopesOf(authorization.substring(BEARER.length()).strip());
    }

    /** The refusal of a call that needs a scope its key lacks. */
    static KeyRefusal forbidden(Scope needed) {
        return new KeyRefusal(403, "forbidden", "this API key lacks the scope '" + needed.label()
                + "' that this call needs", REALM + ", error=\"insufficient_scope\", scope=\"" + needed.label() + "\"");
    }

    Response response() {
        return Errors.builder(status, code, message).header(HttpHeaders.WWW_AUTHENTICATE, authenticate).build();
    }
}
