package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jwt.proc.BadJWTException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library's refusals reach the client only as Herald's words. Some (a verifier that cannot be made
 * for a key) no token can provoke through {@link TokenVerifier}; they are checked here.
 */
class TokenFailuresTest {

    private static final String LIBRARY = "Signed JWT rejected: extend class to handle";

    @Test
    void noLibraryMessagePassesThrough() {
        List<Exception> failures = List.of(new JOSEException(LIBRARY), new BadJOSEException(LIBRARY),
                new BadJWSException(LIBRARY), new BadJWTException(LIBRARY));
        for (Exception failure : failures) {
            HandshakeRefusal refusal = TokenFailures.of(failure);
            assertEquals(401, refusal.status());
            assertEquals("token_invalid", refusal.code());
            assertFalse(refusal.getMessage().contains("extend class"), failure + " gave " + refusal.getMessage());
        }
        assertEquals(TokenFailures.UNCHECKABLE, TokenFailures.of(new JOSEException(LIBRARY)).getMessage());
        assertEquals(TokenFailures.BAD_SIGNATURE, TokenFailures.of(new BadJWSException(LIBRARY)).getMessage());
    }

    @Test
    void heraldsOwnChecksKeepTheirWords() {
        assertEquals("the token has no sub claim", TokenFailures.of(new TokenRefused("the token has no sub claim"))
                .getMessage());
        HandshakeRefusal expired = TokenFailures.of(new ClaimRules.Expired("the token expired at 2026-01-01T00:00:00Z"));
        assertEquals("token_expired", expired.code());
        assertEquals("the token expired at 2026-01-01T00:00:00Z", expired.getMessage());
    }
}
