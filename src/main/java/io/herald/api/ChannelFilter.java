package io.herald.api;

import io.herald.connection.Drain;
import io.herald.connection.DrainSettings;
import io.herald.core.JsonCodec;
import io.herald.security.Admission;
import io.herald.security.ApiAccess;
import io.herald.security.Scope;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Checks a backend channel handshake ({@code /api/ws}) before the upgrade, with the REST API's answers:
 * 401 without a known key, 503 {@code draining} while the node drains. The key's scopes are checked per
 * request on the channel, as REST checks them per call. A plain request with a good key gets 426.
 */
@WebFilter(urlPatterns = Channel.PATH, asyncSupported = true)
public class ChannelFilter extends HttpFilter {

    @Inject
    ApiAccess access;

    @Inject
    Admission admission;

    @Inject
    Drain drain;

    @Inject
    DrainSettings drainSettings;

    @Inject
    Channels channels;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (drain.active()) {
            response.setHeader("Retry-After",
                    String.valueOf(Math.max(1, TimeUnit.MILLISECONDS.toSeconds(drainSettings.graceMillis()))));
            answer(response, 503, "draining", "this node is draining; connect to another node or retry later");
            return;
        }
        KeyRefusal refusal = access.closed() ? KeyRefusal.API_CLOSED : null;
        Set<Scope> scopes = refusal != null ? null : KeyRefusal.scopes(access, request.getHeader("Authorization"));
        if (refusal == null && scopes == null) {
            refusal = KeyRefusal.UNAUTHORIZED;
        }
        if (refusal != null) {
            response.setHeader("WWW-Authenticate", refusal.authenticate());
            answer(response, refusal.status(), refusal.code(), refusal.message());
            return;
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
            response.setHeader("Upgrade", "websocket");
            answer(response, 426, "upgrade_required",
                    "the backend channel is a WebSocket (Upgrade: websocket); see PROTOCOL.md, \"Backend channel\"");
            return;
        }
        ChannelKey key = new ChannelKey(scopes, admission.clientAddress(request));
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return key;
            }
        }, response);
    }

    /**
     * The application is stopping, and filters are destroyed before the server closes WebSocket sessions on
     * its own: answer what the channels accepted, then close them with 1012.
     */
    @Override
    public void destroy() {
        channels.drainAll(drainSettings.graceMillis());
    }

    private static void answer(HttpServletResponse response, int status, String code, String message)
            throws IOException {
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        byte[] body = JsonCodec.object().add("status", status).add("code", code).add("message", message).build()
                .toString().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
