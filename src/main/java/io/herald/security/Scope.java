package io.herald.security;

import java.util.Locale;

/**
 * What an API key may do (PROTOCOL.md, "Scopes"). Every REST call needs exactly one scope, decided by its
 * method and path alone, so that a new endpoint falls under a scope without anyone remembering to
 * annotate it: sends ({@code POST} to {@code …/messages}, {@code /broadcast}, {@code /messages/batch}) are
 * {@code push}, reads are {@code query}, and everything else, which changes who is connected, bound or
 * grouped, is {@code admin}.
 */
public enum Scope {
    PUSH, QUERY, ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String label) {
        for (Scope scope : values()) {
            if (scope.label().equals(label.strip().toLowerCase(Locale.ROOT))) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown API scope '" + label + "' (push, query, admin)");
    }

    /**
     * The scope a call needs.
     *
     * @param method the HTTP method
     * @param path the path below {@code /api}, with or without a leading slash
     */
    public static Scope required(String method, String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String m = method.toUpperCase(Locale.ROOT);
        if (m.equals("GET") || m.equals("HEAD")) {
            return QUERY;
        }
        if (m.equals("POST") && (p.equals("broadcast") || p.equals("messages") || p.equals("messages/batch")
                || p.endsWith("/messages"))) {
            return PUSH;
        }
        return ADMIN;
    }
}
