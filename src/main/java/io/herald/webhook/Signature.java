package io.herald.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The webhook signature: {@code v1=} followed by the lowercase hex HMAC-SHA256, keyed with the shared
 * secret, of {@code "<timestamp>.<body>"} (the Herald-Timestamp header's value, a dot, and the raw body
 * as sent, UTF-8). Signing the timestamp with the body lets a receiver refuse replays of old requests.
 */
public final class Signature {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public Signature(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** The Herald-Signature header's value for this timestamp (unix seconds) and body. */
    public String sign(long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether the header value is this secret's signature of timestamp and body (constant-time compare). */
    public boolean verify(String header, long timestamp, String body) {
        if (header == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(timestamp, body).getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
