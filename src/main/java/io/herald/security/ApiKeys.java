package io.herald.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The REST API keys and their scopes, from {@code herald.api.keys}: comma-separated entries
 * {@code key:scope+scope}, e.g. {@code k1:push+query,k2:admin}. An entry without {@code :} has every
 * scope (the form keys had before scopes existed). Keys must not contain {@code ,} or {@code :}.
 */
public final class ApiKeys {

    /** One key: its bytes and what it may do. */
    private record Key(byte[] secret, Set<Scope> scopes) {
    }

    private final List<Key> keys;
    private final List<String> problems;

    private ApiKeys(List<Key> keys, List<String> problems) {
        this.keys = keys;
        this.problems = problems;
    }

    /**
     * Parses the entries. A malformed entry (empty key, unknown scope) is left out, so that a typo never
     * grants more than was meant; {@link #problems()} says which and why (at start, {@link SecuritySettings}
     * stops the deployment on any).
     */
    public static ApiKeys parse(List<String> entries) {
        List<Key> keys = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int position = 0;
        for (String entry : entries) {
            position++;
            String text = entry.strip();
            int colon = text.lastIndexOf(':');
            String secret = colon < 0 ? text : text.substring(0, colon).strip();
            if (secret.isEmpty()) {
                problems.add("entry " + position + " of herald.api.keys has no key");
                continue;
            }
            try {
                Set<Scope> scopes = colon < 0 ? EnumSet.allOf(Scope.class) : scopes(text.substring(colon + 1));
                keys.add(new Key(secret.getBytes(StandardCharsets.UTF_8), scopes));
            } catch (IllegalArgumentException e) {
                problems.add("entry " + position + " of herald.api.keys: " + e.getMessage());
            }
        }
        return new ApiKeys(List.copyOf(keys), List.copyOf(problems));
    }

    private static Set<Scope> scopes(String list) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String label : list.split("\\+")) {
            if (label.isBlank()) {
                throw new IllegalArgumentException("an empty scope");
            }
            scopes.add(Scope.parse(label));
        }
        return scopes;
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public List<String> problems() {
        return problems;
    }

    /**
     * The scopes of the presented key, or null if no key matches. Compares against every key in constant
     * time, so that timing tells nothing about which key, or how much of one, matched.
     */
    public Set<Scope> scopesOf(String presented) {
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        Set<Scope> found = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(candidate, key.secret()) && found == null) {
                found = key.scopes();
            }
        }
        return found;
    }
}
