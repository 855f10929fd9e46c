package io.herald.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.security.Principal;

/**
 * The handshake request as the filter passes it on: its user principal is the identity the token proved.
 * Both servers build the WebSocket session's {@code getUserPrincipal()} from the request that reaches
 * their upgrade filter, so the endpoint learns the identity without verifying the token again.
 */
public final class IdentifiedRequest extends HttpServletRequestWrapper {

    private final Identity identity;

    public IdentifiedRequest(HttpServletRequest request, Identity identity) {
        super(request);
        this.identity = identity;
    }

    @Override
    public Principal getUserPrincipal() {
        return identity;
    }

    @Override
    public String getRemoteUser() {
        return identity.uid();
    }

    @Override
    public boolean isUserInRole(String role) {
        return false;
    }
}
