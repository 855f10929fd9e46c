package io.herald.security;

import io.herald.metrics.Metrics;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.Initialized;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Enumeration;
import java.util.List;

/**
 * The security checks of a WebSocket handshake, made by the handshake filter before the upgrade so that a
 * refused client gets an HTTP status: first the source address's connection rate and the page's Origin
 * ({@link #screen}), then who the client is ({@link #identify}).
 */
@ApplicationScoped
public class Admission {

    @Inject
    SecuritySettings security;

    @Inject
    ConnectionRate connections;

    @Inject
    TokenVerifier tokens;

    @Inject
    UidLimit uidLimit;

    private OriginPolicy origins;
    private ClientAddress addresses;

    @PostConstruct
    void start() {
        origins = new OriginPolicy(originEntries(security.devMode(), security.allowedOrigins()));
        addresses = new ClientAddress(security.proxyRanges());
    }

    /**
     * The origin entries in force: the configured ones; in development mode without any configured, every
     * origin ({@code *}), so that a page served from anywhere (a dev server on another port, a file) can
     * try Herald. A list given in development mode is kept, to try the production policy.
     */
    static List<String> originEntries(boolean devMode, List<String> configured) {
        return devMode && configured.isEmpty() ? List.of("*") : configured;
    }

    /** The client's address: the peer's, or behind a trusted proxy the one it forwarded. */
    public String clientAddress(HttpServletRequest request) {
        return addresses.resolve(request.getRemoteAddr(),
                ClientAddress.headers(request.getHeaders(ClientAddress.FORWARDED_FOR)));
    }

    /** Refuses a source address over its connection rate (429) and a page whose Origin is not allowed (403). */
    public void screen(HttpServletRequest request) throws HandshakeRefusal {
        connections.admit(clientAddress(request));
        if (!originAllowed(request)) {
            throw new HandshakeRefusal(Refusal.ORIGIN_NOT_ALLOWED,
                    "pages from this origin may not connect (herald.allowed-origins)");
        }
    }

    /** Whether every Origin header of the request (none counts as allowed) names a page that may connect. */
    public boolean originAllowed(HttpServletRequest request) {
        String host = request.getHeader("Host");
        Enumeration<String> presented = request.getHeaders("Origin");
        while (presented != null && presented.hasMoreElements()) {
            if (!origins.allows(presented.nextElement(), host)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The identity a {@code ?token=} proves, or null for a client without one: allowed in development mode
     * (with or without {@code ?uid=}, which the filter has checked) and when anonymous clients are
     * enabled; refused with 401 otherwise.
     */
    public Identity identify(HttpServletRequest request) throws HandshakeRefusal {
        String token = request.getParameter("token");
        String devUid = request.getParameter("uid");
        if (token != null) {
            if (devUid != null) {
                throw new HandshakeRefusal(Refusal.CONFLICTING_IDENTITY, "give either ?token= or ?uid=, not both");
            }
            Identity identity = tokens.verify(token);
            uidLimit.check(identity.uid());
            return identity;
        }
        if (devUid != null) {
            uidLimit.check(devUid);
            return null;
        }
        if (!security.devMode() && !security.anonymousEnabled()) {
            throw new HandshakeRefusal(Refusal.TOKEN_REQUIRED,
                    "a token is required: ?token=<JWT from the application's backend>");
        }
        return null;
    }

    public void registerMetrics(@Observes @Initialized(ApplicationScoped.class) Object started, Metrics metrics) {
        Refusal.registerMetrics(metrics);
    }
}
