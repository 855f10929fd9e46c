package io.herald.health;

import io.herald.routing.Ids;
import io.herald.security.SecuritySettings;
import io.herald.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.logging.Logger;

/**
 * Tells the operator at start what this node is, the settings in force (each feature's record, secrets left
 * out) and which settings need their attention. A bad value never gets here: {@link SettingsCheck} has
 * stopped the deployment.
 */
@ApplicationScoped
public class StartupReport {

    private static final Logger LOG = Logger.getLogger(StartupReport.class.getName());

    @Inject
    FeatureSettings settings;

    @Inject
    Ids ids;

    @Inject
    TokenVerifier tokens;

    void report(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.info(() -> "Herald node " + ids.node() + " started");
        settings.all().each().forEach(record -> LOG.info(() -> "Herald " + record));
        SecuritySettings security = settings.security();
        if (security.devMode()) {
            LOG.warning("Herald development mode is ON (herald.dev-mode=true): any client may claim any uid"
                    + " with ?uid=" + (security.allowedOrigins().isEmpty()
                    ? ", and pages from any origin may connect (herald.allowed-origins is not set)" : "")
                    + ". Never use it in production.");
        }
        if (!tokens.configured() && !security.devMode() && !security.anonymousEnabled()) {
            LOG.warning("Herald accepts no WebSocket client: no token key is configured (herald.token.hmac-secret,"
                    + " herald.token.public-key or herald.token.jwks-url) and anonymous clients are off"
                    + " (herald.anonymous.enabled).");
        }
        if (security.anonymousEnabled()) {
            LOG.info(() -> "Herald accepts anonymous clients; each is closed unless bound within "
                    + security.anonymousBindTimeoutSeconds() + " s (herald.anonymous.bind-timeout-seconds)");
        }
        if (security.apiKeys().isEmpty()) {
            LOG.warning("Herald REST API is closed: no key is configured. Set herald.api.keys"
                    + " (system property or environment variable HERALD_API_KEYS) to open it.");
        }
        if (!settings.webhooks().enabled()) {
            LOG.info("Herald webhooks are off (herald.webhook.url is not set)");
        }
    }
}
