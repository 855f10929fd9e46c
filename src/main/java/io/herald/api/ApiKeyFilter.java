package io.herald.api;

import io.herald.security.ApiAccess;
import io.herald.security.Scope;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import java.util.Set;

/**
 * Every API call needs {@code Authorization: Bearer <key>} with a key from {@code herald.api.keys}, and
 * the key needs the call's scope ({@link Scope#required}): 401 without a known key, 403 without the scope.
 * Keys are compared in constant time, against every configured key, so that timing reveals nothing.
 * The one exception is the health probes ({@link #open}).
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    @Inject
    ApiAccess access;

    @Override
    public void filter(ContainerRequestContext request) {
        if (open(request.getMethod(), request.getUriInfo().getPath(false))) {
            return;
        }
        KeyRefusal refusal = refusal(request);
        if (refusal != null) {
            request.abortWith(refusal.response());
        }
    }

    private KeyRefusal refusal(ContainerRequestContext request) {
        if (access.closed()) {
            return KeyRefusal.API_CLOSED;
        }
        Set<Scope> scopes = KeyRefusal.scopes(access, request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (scopes == null) {
            return KeyRefusal.UNAUTHORIZED;
        }
        Scope needed = Scope.required(request.getMethod(), request.getUriInfo().getPath(false));
        return scopes.contains(needed) ? null : KeyRefusal.forbidden(needed);
    }

    /**
     * Exactly {@code GET} (or {@code HEAD}) {@code /api/health/live} and {@code /api/health/ready} need no
     * key: load balancers and orchestrators probe them without one, and they tell only UP or DOWN.
     *
     * @param path the path below {@code /api} as the request gave it (not decoded), with or without a leading slash
     */
    static boolean open(String method, String path) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return false;
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.equals("health/live") || p.equals("health/ready");
    }
}
