package io.herald.connection;

import io.herald.config.HeraldConfig;
import io.herald.core.JsonCodec;
import io.herald.metrics.Metrics;
import io.herald.core.Names;
import io.herald.security.Admission;
import io.herald.security.HandshakeRefusal;
import io.herald.security.Identity;
import io.herald.security.IdentifiedRequest;
import io.herald.security.Peer;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Checks a WebSocket handshake before the upgrade, so that a refused client gets an HTTP status (403,
 * 400) instead of a connection that opens and closes at once. The WebSocket API offers no portable way to
 * refuse an upgrade with a status; a servlet filter on the endpoint's path runs first on every server.
 * A draining node refuses every handshake (503 {@code draining}).
 */
@WebFilter(urlPatterns = "/ws", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    @Inject
    HeraldConfig config;

    @Inject
    Admission admission;

    @Inject
    Drain drain;

    @Inject
    Shutdown shutdown;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (drain.active()) {
            // Another node should take this client; by the Retry-After this one has gone or is back.
            refuse(request, response, new HandshakeRefusal(503, "draining",
                    "this node is draining; connect to another node or retry later",
                    Math.max(1, TimeUnit.MILLISECONDS.toSeconds(config.drainGraceMillis()))));
            return;
        }
        try {
            admission.screen(request); // source address rate, Origin: before anything else is looked at
        } catch (HandshakeRefusal refusal) {
            refuse(request, response, refusal);
            return;
        }
        String uid = request.getParameter("uid");
        if (uid != null) {
            if (!config.devMode()) {
                refuse(request, response, 403, "dev_mode_off",
                        "?uid= identification needs development mode (herald.dev-mode=true)");
                return;
            }
            if (!Names.validName(uid)) {
                refuse(request, response, 400, "bad_uid",
                        "a uid is " + Names.RULE);
                return;
            }
        }
        String since = request.getParameter("since");
        if (since != null && !since.matches("[0-9]{1,18}")) {
            refuse(request, response, 400, "bad_since", "since is the last seq the client processed: a whole number");
            return;
        }
        Identity identity;
        try {
            identity = admission.identify(request);
        } catch (HandshakeRefusal refusal) {
            refuse(request, response, refusal);
            return;
        }
        // The endpoint reads the address and verified identity as the session's user principal (see IdentifiedRequest).
        chain.doFilter(new IdentifiedRequest(request, new Peer(admission.clientAddress(request), identity)), response);
    }

    /**
     * The application is stopping. Containers destroy filters before they notify any context listener, and
     * WildFly's WebSocket container closes every session with 1001 from a listener of its own: drain here,
     * while the connections are still Herald's to close (ShutdownListener covers servers that never
     * initialized this filter).
     */
    @Override
    public void destroy() {
        shutdown.closeAll();
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, HandshakeRefusal refusal)
            throws IOException {
        if (refusal.status() == 401) {
            // RFC 6750: no error code when the client sent no token at all
            response.setHeader("WWW-Authenticate", refusal.code().equals("token_required")
                    ? "Bearer realm=\"herald\"" : "Bearer realm=\"herald\", error=\"invalid_token\"");
        }
        if (refusal.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", String.valueOf(refusal.retryAfterSeconds()));
        }
        refuse(request, response, refusal.status(), refusal.code(), refusal.getMessage());
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status,
                        String code, String message) throws IOException {
        metrics.refused(code);
        String uid = request.getParameter("uid");
        log.refused(admission.clientAddress(request), uid != null && Names.validName(uid) ? uid : null, status, code);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JsonCodec.object()
                .add("status", status).add("code", code).add("message", message).build().toString());
    }
}
