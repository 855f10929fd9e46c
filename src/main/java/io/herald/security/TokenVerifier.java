package io.herald.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.herald.routing.ConnectionSettings;
import io.herald.core.Names;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Verifies client tokens: signed JWTs from the application's backend ({@code ?token=} at the handshake),
 * with Nimbus JOSE+JWT. Keys come from configuration: an HMAC secret, an RSA or EC public key (PEM), a JWKS
 * URL, or several of these.
 *
 * <p>The accepted algorithms are pinned by key type, so that a token cannot choose how it is checked:
 * HS256/384/512 only against the HMAC secret, RS/PS against RSA keys, ES against EC keys of the matching
 * curve. {@code alg: none}, encrypted tokens and algorithms the keys do not accept are refused before the
 * library verifies anything; an HMAC token is never checked with a public key as its secret (algorithm
 * confusion), because an HMAC algorithm only ever matches the configured secret. Every refusal is in
 * Herald's words ({@link TokenFailures}).
 */
@ApplicationScoped
public class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
    private static final long KEYS_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** When the unreachable JWKS was last warned about: every handshake meets it, the log once a minute. */
    private final AtomicLong keysWarnedAt = new AtomicLong(System.nanoTime() - KEYS_WARNING_EVERY_NANOS);

    /** Longer tokens are refused unread. */
    static final int MAX_TOKEN_CHARS = 8192;

    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** The library's own check of the {@code typ} header: {@code JWT} or none. */
    private static final JOSEObjectTypeVerifier<SecurityContext> JWT_TYPE = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, null);

    @Inject
    TokenSettings settings;

    @Inject
    ConnectionSettings connection;

    private DefaultJWTProcessor<SecurityContext> processor;
    /** The algorithms the configured keys accept; a token naming another is refused before verification. */
    private final Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    private String groupsClaim;
    private int maxGroups;

    @PostConstruct
    void start() {
        List<JWK> local = new ArrayList<>();
        settings.hmacSecret().ifPresent(secret -> hmac(secret, local, algorithms));
        settings.publicKey().ifPresent(key -> publicKey(key, local, algorithms));
        JWKSource<SecurityContext> remote = settings.jwksUrl().map(url -> jwks(url, algorithms)).orElse(null);
        groupsClaim = settings.groupsClaim();
        maxGroups = connection.groupsPerClient();
        if (algorithms.isEmpty()) {
            return; // no key: every token is refused
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(TokenVerifier::checkType);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new Keys(new JWKSet(local), remote)));
        processor.setJWTClaimsSetVerifier(new ClaimRules(settings.issuer().orElse(null),
                settings.audience().orElse(null), settings.clockSkewSeconds(), Clock.systemUTC()));
    }

    /** True when at least one key is configured. */
    public boolean configured() {
        return processor != null;
    }

    /** The identity a token proves; a refusal (401, 403 or 503) says why not. */
    public Identity verify(String token) throws HandshakeRefusal {
        if (processor == null) {
            throw TokenFailures.invalid("this server accepts no tokens: no key is configured (herald.token.*)");
        }
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw TokenFailures.invalid("the token is empty or longer than " + MAX_TOKEN_CHARS + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw TokenFailures.invalid(TokenFailures.MALFORMED);
        }
        HandshakeRefusal form = TokenFailures.ofForm(jwt, algorithms);
        if (form != null) {
            throw form;
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (RateLimitReachedException e) {
            // The JWKS was fetched again moments ago and did not have the token's key: an unknown key.
            throw TokenFailures.invalid(TokenFailures.UNKNOWN_KEY);
        } catch (KeySourceException e) {
            long now = System.nanoTime();
            long warned = keysWarnedAt.get();
            boolean warn = now - warned >= KEYS_WARNING_EVERY_NANOS && keysWarnedAt.compareAndSet(warned, now);
            LOG.log(warn ? Level.WARNING : Level.FINE, () -> "cannot fetch the token keys (herald.token.jwks-url): "
                    + e.getMessage() + (warn ? " (said at most once a minute)" : ""));
            throw new HandshakeRefusal(Refusal.TOKEN_KEYS_UNAVAILABLE,
                    "the keys to check tokens cannot be fetched now; try again later", 5);
        } catch (BadJOSEException | JOSEException e) {
            // the library's own words stay in the log (FINE: anyone can send bad tokens)
            LOG.log(Level.FINE, () -> "token refused: " + e);
            throw TokenFailures.of(e);
        }
        return identity(claims);
    }

    private Identity identity(JWTClaimsSet claims) throws HandshakeRefusal {
        String uid = claims.getSubject();
        if (!Names.validName(uid)) {
            throw new HandshakeRefusal(Refusal.TOKEN_REFUSED,
                    "the token's sub is not a valid uid (1 to " + Names.MAX_LENGTH + " characters from A-Z a-z 0-9 _ - . : @)");
        }
        List<String> groups = List.of();
        if (!groupsClaim.isEmpty() && claims.getClaim(groupsClaim) != null) {
            try {
                groups = claims.getStringListClaim(groupsClaim);
            } catch (ParseException e) {
                throw new HandshakeRefusal(Refusal.TOKEN_REFUSED, "the token's " + groupsClaim
                        + " claim is not a list of group names");
            }
            for (String group : groups) {
                if (!Names.validName(group)) {
                    throw new HandshakeRefusal(Refusal.TOKEN_REFUSED, "the token's " + groupsClaim
                            + " claim holds an invalid group name");
                }
            }
            if (new LinkedHashSet<>(groups).size() > maxGroups) {
                throw new HandshakeRefusal(Refusal.TOO_MANY_GROUPS, "the token lists more than "
                        + maxGroups + " groups (herald.limits.groups-per-client)");
            }
        }
        return new Identity(uid, List.copyOf(new LinkedHashSet<>(groups)));
    }

    /** The library's check of the {@code typ} header (JWT or none), refusing in Herald's words. */
    private static void checkType(JOSEObjectType type, SecurityContext context) throws TokenRefused {
        try {
            JWT_TYPE.verify(type, context);
        } catch (BadJOSEException e) {
            throw new TokenRefused("the token's typ header is neither JWT nor absent");
        }
    }

    /** The secret is at least 32 bytes ({@link TokenSettings}). */
    private static void hmac(byte[] secret, List<JWK> keys, Set<JWSAlgorithm> algorithms) {
        int bits = secret.length * 8;
        keys.add(new OctetSequenceKey.Builder(secret).build());
        algorithms.add(JWSAlgorithm.HS256);
        if (bits >= 384) {
            algorithms.add(JWSAlgorithm.HS384);
        }
        if (bits >= 512) {
            algorithms.add(JWSAlgorithm.HS512);
        }
    }

    private static void publicKey(JWK key, List<JWK> keys, Set<JWSAlgorithm> algorithms) {
        keys.add(key);
        if (key instanceof RSAKey) {
            algorithms.addAll(RSA);
        } else if (key instanceof ECKey ec) {
            algorithms.add(ec.getCurve().equals(Curve.P_256) ? JWSAlgorithm.ES256
                    : ec.getCurve().equals(Curve.P_384) ? JWSAlgorithm.ES384 : JWSAlgorithm.ES512);
        }
    }

    private JWKSource<SecurityContext> jwks(URL location, Set<JWSAlgorithm> algorithms) {
        algorithms.addAll(RSA);
        algorithms.addAll(EC);
        long ttl = settings.jwksRefreshSeconds() * 1000L;
        // Refresh-ahead would run on threads of the library's own; a refresh on expiry runs on a request
        // thread and blocks the others for at most the refresh timeout. An unknown kid forces a refresh
        // (key rotation), at most twice per rate-limit interval.
        return JWKSourceBuilder.<SecurityContext>create(location, new DefaultResourceRetriever(2000, 2000, 512 * 1024))
                .cache(ttl, 5000)
                .refreshAheadCache(false)
                .rateLimited(Math.min(ttl, 30_000))
                .outageTolerant(true) // if the JWKS URL fails, keep using the keys fetched last
                .build();
    }

    /**
     * The configured keys: the secret and public key first, then the JWKS. The JWKS is asked only for
     * asymmetric keys, and only its public keys are used.
     */
    private record Keys(JWKSet local, JWKSource<SecurityContext> remote) implements JWKSource<SecurityContext> {
        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            List<JWK> found = new ArrayList<>(selector.select(local));
            JWKMatcher matcher = selector.getMatcher();
            boolean symmetric = matcher.getKeyTypes() != null && matcher.getKeyTypes().contains(KeyType.OCT);
            if (found.isEmpty() && remote != null && !symmetric) {
                for (JWK key : remote.get(selector, context)) {
                    if ((key instanceof RSAKey || key instanceof ECKey) && !key.isPrivate()) {
                        found.add(key);
                    }
                }
            }
            return found;
        }
    }
}
