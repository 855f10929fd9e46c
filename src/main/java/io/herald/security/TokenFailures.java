package io.herald.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;

import java.util.Set;

/**
 * Why a client token is refused, in Herald's words: the JWT library's messages ("Unsecured (plain) JWTs are
 * rejected, extend class to handle") name its classes and internals and must not reach the client. The
 * token's form is judged before the library runs, so that what remains of the library's refusals has one
 * meaning each. Every refusal here is 401 token_invalid, except an expired token (401 token_expired).
 */
final class TokenFailures {

    static final String MALFORMED = "the token is not a well-formed JWT";
    static final String UNSIGNED = "the token is unsigned (alg none); tokens must be signed";
    static final String ENCRYPTED = "the token is encrypted (JWE); tokens must be signed JWTs (JWS)";
    static final String ALGORITHM = "the token's algorithm is not accepted with the configured keys";
    static final String UNKNOWN_KEY = "the token's key is not one of the configured keys";
    static final String BAD_SIGNATURE = "the token's signature is not valid";
    static final String BAD_CLAIMS = "the token's claims are not a JSON object";
    static final String UNCHECKABLE = "the token's signature cannot be checked with the configured keys";

    private TokenFailures() {
    }

    /** The refusal of a parsed token's form before it is verified, or null for a signed JWT with an accepted algorithm. */
    static HandshakeRefusal ofForm(JWT token, Set<JWSAlgorithm> accepted) {
        if (token instanceof PlainJWT) {
            return invalid(UNSIGNED);
        }
        if (!(token instanceof SignedJWT signed)) {
            return invalid(ENCRYPTED);
        }
        return accepted.contains(signed.getHeader().getAlgorithm()) ? null : invalid(ALGORITHM);
    }

    /**
     * The refusal for what verifying a token of an accepted form threw (key-source failures excepted: the
     * verifier answers those itself). Herald's own checks keep their words; each of the library's refusals is
     * named by its type, since the form is settled: a signature that does not verify, claims that are no
     * JSON object, no configured key that matches (another {@code kid}, another key type or curve).
     */
    static HandshakeRefusal of(Exception failure) {
        if (failure instanceof ClaimRules.Expired) {
            return new HandshakeRefusal(Refusal.TOKEN_EXPIRED, failure.getMessage());
        }
        if (failure instanceof TokenRefused) {
            return invalid(failure.getMessage());
        }
        if (failure instanceof BadJWSException) {
            return invalid(BAD_SIGNATURE);
        }
        if (failure instanceof BadJWTException) {
            return invalid(BAD_CLAIMS);
        }
        if (failure instanceof BadJOSEException) {
            return invalid(UNKNOWN_KEY);
        }
        if (failure instanceof JOSEException) {
            return invalid(UNCHECKABLE);
        }
        throw new IllegalArgumentException("not a token failure", failure);
    }

    static HandshakeRefusal invalid(String message) {
        return new HandshakeRefusal(Refusal.TOKEN_INVALID, message);
    }
}
