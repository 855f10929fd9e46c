package io.herald.connection;

import io.herald.security.SecuritySettings;
import io.herald.core.JsonCodec;
import io.herald.metrics.Metrics;
import io.herald.core.Names;
import io.herald.security.Admission;
import io.herald.security.HandshakeRefusal;
import io.herald.security.Refusal;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Checks a WebSocket handshake before the upgrade, so that a refused client gets an HTTP status (403,
 * 400) instead of a connection that opens and closes at once. The WebSocket API offers no portable way to
 * refuse an upgrade with a status; a servlet filter on the endpoint's path runs first on every server.
 * A draining node refuses every handshake (503 {@code draining}).
 *
 * <p>A plain request to the same URL (no {@code Upgrade: websocket}) gets the same checks and the same
 * answer, or 426 {@code upgrade_required} when the handshake would have been accepted, and never makes a
 * client: a browser's WebSocket sees any refusal as close code 1006, so herald.js asks again this way to
 * learn why (PROTOCOL.md, "Refused handshakes").
 *
 * <p>The event stream door, {@code GET /sse}, is screened the same way: a refusal is the same answer, and an
 * admitted request goes on to {@link EventStream} with its {@link Peer} as a request attribute. Pages of other
 * origins that may connect get the CORS header that EventSource needs.
 */
@WebFilter(urlPatterns = {"/ws", "/sse"}, asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    /** The request attribute that hands the admitted {@link Peer} to the event stream door. */
    static final String PEER = Peer.class.getName();

    /**
     * The WebSocket query parameter by which a client says it takes a JSON array of frames in one WebSocket
     * frame (PROTOCOL.md, "Joined frames"), and its one value. The event stream never joins its events.
     */
    static final String BATCH = "batch";
    static final String BATCH_ON = "1";

    @Inject
    DrainSettings drainSettings;

    @Inject
    SecuritySettings security;

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
        boolean stream = request.getServletPath().equals("/sse");
        boolean upgrade = !stream && isWebSocketUpgrade(request);
        Identity identity;
        try {
            identity = admit(request);
        } catch (HandshakeRefusal refusal) {
            refuse(request, response, refusal, upgrade || stream);
            return;
        }
        if (stream) {
            request.setAttribute(PEER, new Peer(admission.clientAddress(request), identity));
            allowOrigin(request, response);
            chain.doFilter(request, response);
            return;
        }
        if (!upgrade) {
            // A plain request that passed every check: a browser page asking why its WebSocket failed (the
            // WebSocket API shows it only close code 1006). Nothing was refused; no client is made.
            response.setHeader("Upgrade", "websocket");
            answer(request, response, 426, "upgrade_required",
                    "this request would be accepted as a WebSocket handshake (Upgrade: websocket)");
            return;
        }
        // The endpoint reads the address and verified identity as the session's user principal (see IdentifiedRequest).
        chain.doFilter(new IdentifiedRequest(request, new Peer(admission.clientAddress(request), identity)), response);
    }

    /** Every check of a handshake, in order; the verified identity (null without a token) or the refusal. */
    private Identity admit(HttpServletRequest request) throws HandshakeRefusal {
        if (drain.active()) {
            // Another node should take this client; by the Retry-After this one has gone or is back.
            throw new HandshakeRefusal(Refusal.DRAINING, "this node is draining; connect to another node or retry later",
                    Math.max(1, TimeUnit.MILLISECONDS.toSeconds(drainSettings.graceMillis())));
        }
        admission.screen(request); // source address rate, Origin: before anything else is looked at
        String uid = request.getParameter("uid");
        if (uid != null) {
            if (!security.devMode()) {
                throw new HandshakeRefusal(Refusal.DEV_MODE_OFF,
                        "?uid= identification needs development mode (herald.dev-mode=true)");
            }
            if (!Names.validName(uid)) {
                throw new HandshakeRefusal(Refusal.BAD_UID,
                        "a uid is " + Names.RULE);
            }
        }
        String since = sinceText(request);
        if (since != null && !since.matches("[0-9]{1,18}")) {
            throw new HandshakeRefusal(Refusal.BAD_SINCE, "since is the last seq the client processed: a whole number");
        }
        String batch = request.getServletPath().equals("/sse") ? null : request.getParameter(BATCH);
        if (batch != null && !batch.equals(BATCH_ON)) {
            throw new HandshakeRefusal(Refusal.BAD_BATCH, "batch=1 asks for joined frames; it has no other value");
        }
        return admission.identify(request);
    }

    /**
     * Where the client resumes its stream: {@code ?since=}, or on an event stream EventSource's own
     * {@code Last-Event-ID} (the seq of the last durable message it received), which wins when present.
     */
    private static String sinceText(HttpServletRequest request) {
        String lastEventId = request.getServletPath().equals("/sse") ? request.getHeader("Last-Event-ID") : null;
        return lastEventId != null && !lastEventId.isEmpty() ? lastEventId : request.getParameter("since");
    }

    /** The seq the client resumes after, checked by {@link #admit}; null for none. */
    static Long since(HttpServletRequest request) {
        String since = sinceText(request);
        return since == null ? null : Long.valueOf(since);
    }

    /** A WebSocket handshake names the protocol in its Upgrade header; anything else is a plain request. */
    static boolean isWebSocketUpgrade(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
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

    private void refuse(HttpServletRequest request, HttpServletResponse response, HandshakeRefusal refusal,
                        boolean upgrade) throws IOException {
        if (upgrade) {
            // Only real handshakes count and are logged: a plain request repeats the check of one that failed.
            metrics.refused(refusal.code());
            String uid = request.getParameter("uid");
            log.refused(admission.clientAddress(request), uid != null && Names.validName(uid) ? uid : null,
                    refusal.status(), refusal.code());
        }
        if (refusal.status() == 401) {
            // RFC 6750: no error code when the client sent no token at all
            response.setHeader("WWW-Authenticate", refusal.reason() == Refusal.TOKEN_REQUIRED
                    ? "Bearer realm=\"herald\"" : "Bearer realm=\"herald\", error=\"invalid_token\"");
        }
        if (refusal.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", String.valueOf(refusal.retryAfterSeconds()));
        }
        answer(request, response, refusal.status(), refusal.code(), refusal.getMessage());
    }

    /** CORS for a page whose origin may connect. */
    private void allowOrigin(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        if (origin != null && admission.originAllowed(request)) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Expose-Headers", "Retry-After");
        }
        response.addHeader("Vary", "Origin");
    }

    /**
     * The JSON answer {@code {"status","code","message"}}. Pages that may connect can read it (CORS), and
     * so can every page when the answer is that its origin may not connect: that tells a page nothing but
     * what its own Origin header already says, and it is the one thing its developer needs to know.
     */
    private void answer(HttpServletRequest request, HttpServletResponse response, int status, String code,
                        String message) throws IOException {
        if (code.equals("origin_not_allowed")) {
            String origin = request.getHeader("Origin");
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Expose-Headers", "Retry-After");
            response.addHeader("Vary", "Origin");
        } else {
            allowOrigin(request, response);
        }
        response.setHeader("Cache-Control", "no-store");
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JsonCodec.object()
                .add("status", status).add("code", code).add("message", message).build().toString());
    }
}
