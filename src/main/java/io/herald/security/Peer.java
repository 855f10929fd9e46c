package io.herald.security;

import java.security.Principal;

/**
 * The client of a handshake the filter admitted: its address (the one the connection limits count, behind
 * a trusted proxy the forwarded one) and, if it presented a token, the identity the token proved. The
 * filter hands it to the endpoint as the request's user principal (see {@link IdentifiedRequest}).
 */
public record Peer(String address, Identity identity) implements Principal {

    /** The uid the token proved, or the address for a client without one. */
    @Override
    public String getName() {
        return identity != null ? identity.uid() : address;
    }
}
