package io.herald.security;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the public key of {@code herald.token.public-key}: a PEM "PUBLIC KEY" block (X.509
 * SubjectPublicKeyInfo, as {@code openssl pkey -pubout} writes it), RSA or EC. Line breaks may be missing
 * (a one-line value in a properties file or environment variable).
 */
public final class PemKeys {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PemKeys() {
    }

    /** The key as a JWK (RSAKey or ECKey); IllegalArgumentException if it is not a usable public key. */
    public static JWK publicKey(String pem) {
        String text = pem.strip();
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("herald.token.public-key is not a PEM block \"" + BEGIN + "\"");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("herald.token.public-key: the PEM body is not base64", e);
        }
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(spec);
            } catch (GeneralSecurityException e) {
                continue;
            }
            if (key instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("herald.token.public-key: an RSA key needs 2048 bits or more");
                }
                return new RSAKey.Builder(rsa).build();
            }
            if (key instanceof ECPublicKey ec) {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    throw new IllegalArgumentException("herald.token.public-key: an EC key must be on P-256, P-384 or P-521");
                }
                return new ECKey.Builder(curve, ec).build();
            }
        }
        throw new IllegalArgumentException("herald.token.public-key is neither an RSA nor an EC public key");
    }
}
