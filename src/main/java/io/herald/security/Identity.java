package io.herald.security;

import java.security.Principal;
import java.util.List;

/**
 * Who a client is, as its verified token says: the uid to bind ({@code sub}) and the groups to join.
 * The handshake filter hands it to the endpoint as the request's user principal, so the token is
 * verified once.
 */
public record Identity(String uid, List<String> groups) implements Principal {

    public Identity {
        groups = List.copyOf(groups);
    }

    @Override
    public String getName() {
        return uid;
    }
}
