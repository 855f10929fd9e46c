package io.herald.security;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The claims a client token must carry, checked after its signature: {@code exp} (required: a token
 * that never expires is a password), {@code nbf} when present, both with a small clock skew; {@code iss}
 * and {@code aud} when configured; {@code sub} (the uid). Each refusal is a {@link TokenRefused} in words
 * the client may see; an expired token gets its own so that the client can be told to fetch a new one.
 */
final class ClaimRules implements JWTClaimsSetVerifier<SecurityContext> {

    /** The token's {@code exp} has passed. */
    static final class Expired extends TokenRefused {
        Expired(String message) {
            super(message);
        }
    }

    private final String issuer;
    private final String audience;
    private final long skewMillis;
    private final Clock clock;

    /**
     * @param issuer the required {@code iss}, or null to accept any
     * @param audience a value {@code aud} must contain, or null to accept any
     */
    ClaimRules(String issuer, String audience, long skewSeconds, Clock clock) {
        this.issuer = issuer;
        this.audience = audience;
        this.skewMillis = Math.max(0, skewSeconds) * 1000;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenRefused("the token has no exp claim");
        }
        if (now >= exp.getTime() + skewMillis) {
            throw new Expired("the token expired at " + Instant.ofEpochMilli(exp.getTime()));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skewMillis < nbf.getTime()) {
            throw new TokenRefused("the token is not valid before " + Instant.ofEpochMilli(nbf.getTime()));
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new TokenRefused("the token's issuer is not the configured one");
        }
        if (audience != null) {
            List<String> audiences = claims.getAudience();
            if (audiences == null || !audiences.contains(audience)) {
                throw new TokenRefused("the token is not meant for this audience");
            }
        }
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw new TokenRefused("the token has no sub claim");
        }
    }
}
