package io.herald.health;

import io.herald.routing.Ids;
import io.herald.security.ApiAccess;
import io.herald.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.logging.Logger;
import io.herald.config.HeraldConfig;

/** Tells the operator at start what this node is and which settings need their attention. */
@ApplicationScoped
public class StartupReport {

    private static final Logger LOG = Logger.getLogger(StartupReport.class.getName());

    @Inject
    HeraldConfig config;

    @Inject
    Ids ids;

    @Inject
    TokenVerifier tokens;

    @Inject
    ApiAccess api;

    void report(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.info(() -> "Herald node " + ids.node() + " started");
        if (config.devMode()) {
            LOG.warning("Herald development mode is ON (herald.dev-mode=true): any client may claim any uid"
                    + " with ?uid=" + (config.allowedOrigins().isEmpty()
                    ? ", and pages from any origin may connect (herald.allowed-origins is not set)" : "")
                    + ". Never use it in production.");
        }
        // Touching these beans now reports their configuration errors at start, not at the first client.
        boolean tokensConfigured = tokens.configured();
        api.problems();
        if (!tokensConfigured && !config.devMode() && !config.anonymousEnabled()) {
            LOG.warning("Herald accepts no WebSocket client: no token key is configured (herald.token.hmac-secret,"
                    + " herald.token.public-key or herald.token.jwks-url) and anonymous clients are off"
                    + " (herald.anonymous.enabled).");
        }
        if (config.anonymousEnabled()) {
            LOG.info(() -> "Herald accepts anonymous clients; each is closed unless bound within "
                    + config.anonymousBindTimeoutSeconds() + " s (herald.anonymous.bind-timeout-seconds)");
        }
        if (config.apiKeys().isEmpty()) {
            LOG.warning("Herald REST API is closed: no key is configured. Set herald.api.keys"
                    + " (system property or environment variable HERALD_API_KEYS) to open it.");
        }
    }
}
