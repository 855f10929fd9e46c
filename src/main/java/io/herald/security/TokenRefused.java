package io.herald.security;

import com.nimbusds.jwt.proc.BadJWTException;

/**
 * A check of Herald's own, run inside the token processor, refused the token; its message is Herald's and
 * may be shown to the client, unlike the library's own exceptions (see {@link TokenFailures}).
 */
class TokenRefused extends BadJWTException {

    TokenRefused(String message) {
        super(message);
    }
}
