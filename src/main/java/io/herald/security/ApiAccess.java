package io.herald.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Set;

/** The configured REST API keys ({@link ApiKeys}), read once at start. */
@ApplicationScoped
public class ApiAccess {

    @Inject
    SecuritySettings security;

    /** No usable key: the API is closed. */
    public boolean closed() {
        return security.apiKeys().isEmpty();
    }

    /** The scopes of the presented key, or null if it is not a configured key. */
    public Set<Scope> scopesOf(String presented) {
        return security.apiKeys().scopesOf(presented);
    }
}
