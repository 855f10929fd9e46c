package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy sameOrigin = new OriginPolicy(List.of());

    @Test
    void noOriginHeaderIsANonBrowserClientAndPasses() {
        assertTrue(sameOrigin.allows(null, "herald.example.com"));
    }

    @Test
    void byDefaultOnlyTheServersOwnOriginPasses() {
        assertTrue(sameOrigin.allows("https://herald.example.com", "herald.example.com"));
        assertTrue(sameOrigin.allows("https://herald.example.com", "herald.example.com:443"));
        assertTrue(sameOrigin.allows("http://127.0.0.1:8180", "127.0.0.1:8180"), "what the Tyrus client sends");
        assertTrue(sameOrigin.allows("HTTPS://Herald.Example.com", "herald.example.COM"), "case does not matter");
        assertFalse(sameOrigin.allows("https://evil.example.net", "herald.example.com"));
        assertFalse(sameOrigin.allows("https://herald.example.com:8443", "herald.example.com"), "another port");
        assertFalse(sameOrigin.allows("http://127.0.0.1:9999", "127.0.0.1:8180"));
        assertFalse(sameOrigin.allows("https://herald.example.com.evil.net", "herald.example.com"));
        assertFalse(sameOrigin.allows("null", "herald.example.com"), "a sandboxed page");
        assertFalse(sameOrigin.allows("https://herald.example.com", null), "no Host to compare with");
        assertFalse(sameOrigin.allows("not an origin", "herald.example.com"));
    }

    @Test
    void listedOriginsPassAndOthersDoNot() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com", " http://localhost:3000 "));
        assertTrue(policy.allows("https://app.example.com", "herald.example.com"));
        assertTrue(policy.allows("https://app.example.com:443", "herald.example.com"), "the default port spelled out");
        assertTrue(policy.allows("http://localhost:3000", "herald.example.com"));
        assertFalse(policy.allows("http://app.example.com", "herald.example.com"), "another scheme");
        assertFalse(policy.allows("https://app.example.com:8443", "herald.example.com"), "another port");
        assertFalse(policy.allows("https://herald.example.com", "herald.example.com"),
                "a list replaces same-origin unless it names it");
        assertFalse(policy.allows("https://app.example.com/path", "herald.example.com"), "an origin has no path");
        assertFalse(policy.allows("https://user@app.example.com", "herald.example.com"));
    }

    @Test
    void wildcardsMatchSubdomainsOnly() {
        OriginPolicy policy = new OriginPolicy(List.of("https://*.example.com", "same-origin"));
        assertTrue(policy.allows("https://a.example.com", "herald.example.org"));
        assertTrue(policy.allows("https://a.b.example.com", "herald.example.org"));
        assertFalse(policy.allows("https://example.com", "herald.example.org"));
        assertFalse(policy.allows("https://evilexample.com", "herald.example.org"));
        assertFalse(policy.allows("http://a.example.com", "herald.example.org"));
        assertTrue(policy.allows("https://herald.example.org", "herald.example.org"), "same-origin named in the list");
    }

    @Test
    void starAndNullAreExplicit() {
        assertTrue(new OriginPolicy(List.of("*")).allows("https://anything.example", "herald.example.com"));
        assertTrue(new OriginPolicy(List.of("null")).allows("null", "herald.example.com"));
        assertFalse(new OriginPolicy(List.of("null")).allows("https://herald.example.com", "herald.example.com"));
    }

    @Test
    void developmentModeAcceptsAnyOriginUnlessAListIsGiven() {
        OriginPolicy dev = new OriginPolicy(Admission.originEntries(true, List.of()));
        assertTrue(dev.allows("http://localhost:5173", "127.0.0.1:8080"));
        assertTrue(dev.allows("null", "127.0.0.1:8080"));
        OriginPolicy devWithList = new OriginPolicy(Admission.originEntries(true, List.of("https://app.example.com")));
        assertFalse(devWithList.allows("http://localhost:5173", "127.0.0.1:8080"));
        OriginPolicy production = new OriginPolicy(Admission.originEntries(false, List.of()));
        assertFalse(production.allows("http://localhost:5173", "127.0.0.1:8080"), "same-origin by default");
    }
}
