package io.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureTest {

    private static final byte[] SECRET = "whsec-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String BODY = "{\"id\":\"evt_1\",\"type\":\"uid.online\"}";

    @Test
    void signsTimestampDotBodyWithHmacSha256() {
        // Expected value computed independently:
        // printf '%s' '1700000000.{"id":"evt_1","type":"uid.online"}' | openssl dgst -sha256 -hmac 'whsec-0123456789abcdef'
        assertEquals("v1=878fffad99ce29954c401850eb4959268d73128f39d5e559a4608aa93bbf5703",
                new Signature(SECRET).sign(1700000000L, BODY));
    }

    @Test
    void hashesTheBodyAsUtf8() {
        // printf '%s' '1700000001.{"t":"日本"}' | openssl dgst -sha256 -hmac 'whsec-0123456789abcdef'
        assertEquals("v1=2dac6b6ba51956916350e446289de9df579bcc7e9a8e5bd9315ad800c87d7083", new Signature(SECRET).sign(1700000001L, "{\"t\":\"日本\"}"));
    }

    @Test
    void verifiesOnlyTheSameSecretTimestampAndBody() {
        Signature signature = new Signature(SECRET);
        String header = signature.sign(1700000000L, BODY);
        assertTrue(signature.verify(header, 1700000000L, BODY));
        assertFalse(signature.verify(header, 1700000001L, BODY), "another timestamp");
        assertFalse(signature.verify(header, 1700000000L, BODY + " "), "another body");
        assertFalse(new Signature("another-secret-0123456789".getBytes(StandardCharsets.UTF_8))
                .verify(header, 1700000000L, BODY), "another secret");
        assertFalse(signature.verify(null, 1700000000L, BODY));
        assertFalse(signature.verify(header.substring(3), 1700000000L, BODY), "without the v1= scheme");
    }
}
