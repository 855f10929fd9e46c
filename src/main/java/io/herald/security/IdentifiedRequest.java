package io.herald.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.security.Principal;

/**
 * The handshake request as the filter passes it on: its user principal is the admitted {@link Peer}, with
 * the identity the token proved. Both servers build the WebSocket session's {@code getUserPrincipal()}
 * from the request that reaches their upgrade filter, so the endpoint learns the identity without
 * verifying the token again, and the client's address, which the WebSocket API does not offer.
 */
public final class IdentifiedRequest extends HttpServletRequestWrapper {

    private final Peer peer;

    public IdentifiedRequest(HttpServletRequest request, Peer peer) {
        super(request);
        this.peer = peer;
    }

    @Override
    public Principal getUserPrincipal() {
        return peer;
    }

    @Override
    public String getRemoteUser() {
        return peer.identity() == null ? null : peer.identity().uid();
    }

    @Override
    public boolean isUserInRole(String role) {
        return false;
    }
}
