package io.herald.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which web pages may open a WebSocket to Herald ({@code herald.allowed-origins}), against cross-site
 * WebSocket hijacking: a browser sends the page's {@code Origin} with every WebSocket handshake and lets
 * any page connect anywhere, so the server has to check it.
 *
 * <p>Entries: {@code same-origin} (the Origin names the host and port the request was sent to, its
 * {@code Host} header), an exact origin ({@code https://app.example.com}, {@code http://localhost:3000}),
 * a subdomain wildcard ({@code https://*.example.com}, which does not match {@code example.com} itself),
 * {@code null} (the literal Origin of sandboxed and file pages) or {@code *} (any page: only for APIs that
 * accept no ambient credentials). No entries means {@code same-origin}.
 *
 * <p>A handshake without an Origin header does not come from a browser page and passes: browsers always
 * send one on WebSocket handshakes, and other clients can write any Origin anyway.
 */
public final class OriginPolicy {

    private final List<String> entries;

    public OriginPolicy(List<String> entries) {
        this.entries = entries.isEmpty() ? List.of("same-origin")
                : entries.stream().map(entry -> entry.strip().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * @param origin the request's Origin header, or null
     * @param host the request's Host header, or null
     */
    public boolean allows(String origin, String host) {
        if (origin == null) {
            return true;
        }
        String presented = origin.strip().toLowerCase(Locale.ROOT);
        for (String entry : entries) {
            if (entry.equals("*")
                    || entry.equals("null") && presented.equals("null")
                    || entry.equals("same-origin") && sameOrigin(presented, host)
                    || matches(entry, presented)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameOrigin(String origin, String host) {
        Parsed o = Parsed.of(origin);
        if (o == null || host == null || host.isBlank()) {
            return false;
        }
        Parsed h = Parsed.of(o.scheme + "://" + host.strip().toLowerCase(Locale.ROOT));
        return h != null && o.host.equals(h.host) && o.port == h.port;
    }

    private static boolean matches(String entry, String origin) {
        if (entry.equals("*") || entry.equals("null") || entry.equals("same-origin")) {
            return false;
        }
        Parsed o = Parsed.of(origin);
        if (o == null) {
            return false;
        }
        boolean wildcard = entry.contains("://*.");
        Parsed e = Parsed.of(wildcard ? entry.replace("://*.", "://") : entry);
        if (e == null || !e.scheme.equals(o.scheme) || e.port != o.port) {
            return false;
        }
        return wildcard ? o.host.endsWith("." + e.host) : o.host.equals(e.host);
    }

    /** An origin's scheme, host and port, the default port filled in; null if it is not an origin. */
    private record Parsed(String scheme, String host, int port) {
        static Parsed of(String text) {
            try {
                URI uri = new URI(text);
                String scheme = uri.getScheme();
                String host = uri.getHost();
                if (scheme == null || host == null || uri.getRawUserInfo() != null
                        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    return null;
                }
                int port = uri.getPort();
                if (port < 0) {
                    port = switch (scheme) {
                        case "http", "ws" -> 80;
                        case "https", "wss" -> 443;
                        default -> -1;
                    };
                }
                return new Parsed(scheme, host, port);
            } catch (URISyntaxException e) {
                return null;
            }
        }
    }
}
