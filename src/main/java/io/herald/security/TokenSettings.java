package io.herald.security;

import com.nimbusds.jose.jwk.JWK;
import io.herald.config.BadSetting;
import io.herald.config.Settings;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * How client tokens are verified ({@code herald.token.*}, README "Configuration", PROTOCOL.md), with the
 * keys already decoded: a secret too short or a PEM key that does not parse stops the start like any other
 * bad value, instead of leaving a node that refuses every token.
 *
 * @param hmacSecret         the HMAC key for HS256/384/512 tokens ({@code herald.token.hmac-secret}: UTF-8
 *                           bytes, or {@code base64:…}), at least {@value #MIN_HMAC_BYTES} bytes
 * @param publicKey          the public key (RSA or EC) for RS/PS/ES tokens ({@code herald.token.public-key}, PEM)
 * @param jwksUrl            the JWKS URL of the token issuer
 * @param jwksRefreshSeconds how long JWKS keys are cached
 * @param issuer             the required {@code iss}
 * @param audience           a value {@code aud} must contain
 * @param clockSkewSeconds   tolerance on {@code exp} and {@code nbf}
 * @param groupsClaim        the claim listing the groups a token's client joins
 */
public record TokenSettings(Optional<byte[]> hmacSecret, Optional<JWK> publicKey, Optional<URL> jwksUrl,
                            int jwksRefreshSeconds, Optional<String> issuer, Optional<String> audience,
                            int clockSkewSeconds, String groupsClaim) {

    /** HS256 needs a key as long as its hash; Nimbus would refuse a shorter one at every verification. */
    private static final int MIN_HMAC_BYTES = 32;
    private static final String HMAC_SECRET = "herald.token.hmac-secret";
    private static final String PUBLIC_KEY = "herald.token.public-key";
    private static final String JWKS_URL = "herald.token.jwks-url";

    public static TokenSettings from(Settings settings) {
        return new TokenSettings(
                settings.text(HMAC_SECRET).map(TokenSettings::hmac),
                settings.text(PUBLIC_KEY).map(TokenSettings::publicKey),
                settings.text(JWKS_URL).map(TokenSettings::url),
                settings.integer("herald.token.jwks-refresh-seconds", 300, 1),
                settings.text("herald.token.issuer"),
                settings.text("herald.token.audience"),
                settings.integer("herald.token.clock-skew-seconds", 30, 0),
                settings.text("herald.token.groups-claim", "groups"));
    }

    private static byte[] hmac(String setting) {
        String form = "a secret of at least " + MIN_HMAC_BYTES + " bytes (UTF-8, or base64: and its base64)";
        byte[] secret;
        try {
            secret = setting.startsWith("base64:")
                    ? Base64.getDecoder().decode(setting.substring("base64:".length()).strip())
                    : setting.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BadSetting.secret(HMAC_SECRET, form + "; the text after base64: is not base64");
        }
        if (secret.length < MIN_HMAC_BYTES) {
            throw BadSetting.secret(HMAC_SECRET, form + "; it is shorter than " + MIN_HMAC_BYTES + " bytes");
        }
        return secret;
    }

    /** A public key is no secret, but a PEM block is long: the message says what is wrong with it instead. */
    private static JWK publicKey(String pem) {
        try {
            return PemKeys.publicKey(pem);
        } catch (IllegalArgumentException e) {
            throw BadSetting.secret(PUBLIC_KEY, "a PEM \"PUBLIC KEY\" block of an RSA (2048 bits or more) or EC"
                    + " (P-256, P-384, P-521) key (" + e.getMessage() + ")");
        }
    }

    private static URL url(String url) {
        try {
            return URI.create(url).toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new BadSetting(JWKS_URL, url, "a URL, such as https://issuer.example.com/jwks.json");
        }
    }

    /** Without the keys: for logs. */
    @Override
    public String toString() {
        return "TokenSettings[hmacSecret=" + (hmacSecret.isPresent() ? "set" : "none") + ", publicKey="
                + publicKey.map(JWK::getKeyType).map(Object::toString).orElse("none") + ", jwksUrl="
                + jwksUrl.map(Object::toString).orElse("none") + ", jwksRefreshSeconds=" + jwksRefreshSeconds
                + ", issuer=" + issuer.orElse("none") + ", audience=" + audience.orElse("none") + ", clockSkewSeconds="
                + clockSkewSeconds + ", groupsClaim=" + groupsClaim + "]";
    }
}
