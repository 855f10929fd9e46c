package io.herald.api;

import io.herald.security.Scope;

import java.security.Principal;
import java.util.Set;

/**
 * A backend admitted to the channel: the scopes of the API key it presented and its address. The filter
 * hands it to the endpoint as the handshake's user principal, as the client door does with its Peer.
 */
record ChannelKey(Set<Scope> scopes, String address) implements Principal {

    @Override
    public String getName() {
        return address;
    }
}
