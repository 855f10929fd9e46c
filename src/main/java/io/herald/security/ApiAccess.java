package io.herald.security;

import io.herald.config.HeraldConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/** The configured REST API keys ({@link ApiKeys}), read once at start. */
@ApplicationScoped
public class ApiAccess {

    private static final Logger LOG = Logger.getLogger(ApiAccess.class.getName());

    @Inject
    HeraldConfig config;

    private ApiKeys keys;

    @PostConstruct
    void start() {
        keys = ApiKeys.parse(config.apiKeys());
        keys.problems().forEach(LOG::severe);
    }

    /** No usable key: the API is closed. */
    public boolean closed() {
        return keys.isEmpty();
    }

    /** The scopes of the presented key, or null if it is not a configured key. */
    public Set<Scope> scopesOf(String presented) {
        return keys.scopesOf(presented);
    }

    public List<String> problems() {
        return keys.problems();
    }
}
