package io.herald.security;

import io.herald.routing.Client;
import io.herald.routing.Registry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.util.List;

/**
 * The endpoint's side of security: who a new connection is, and the {@link Guard} that watches it.
 */
@ApplicationScoped
public class Guards {

    @Inject
    SecuritySettings security;

    @Inject
    LimitSettings limits;

    @Inject
    TokenVerifier tokens;

    @Inject
    Registry registry;

    @Inject
    UidLimit uidLimit;

    @Inject
    BindDeadline deadlines;

    /**
     * The identity the handshake filter verified, or null for a client without a token. A server that did
     * not carry the filter's principal over to the session gets the token verified again here; a refusal
     * then can only close the connection (4104).
     */
    public Identity identity(Session session) throws HandshakeRefusal {
        if (session.getUserPrincipal() instanceof Peer peer) {
            return peer.identity();
        }
        String token = parameter(session, "token");
        if (token != null) {
            return tokens.verify(token);
        }
        if (parameter(session, "uid") == null && !security.devMode() && !security.anonymousEnabled()) {
            throw new HandshakeRefusal(Refusal.TOKEN_REQUIRED, "a token is required");
        }
        return null;
    }

    /** The client's address as the handshake filter saw it, or null where the server did not carry it over. */
    public static String address(Session session) {
        return session.getUserPrincipal() instanceof Peer peer ? peer.address() : null;
    }

    /**
     * Called once the client is registered and bound to its uid, if it named one: joins the token's
     * groups, keeps the uid within its client limit, and starts an anonymous client's bind deadline.
     */
    public Guard opened(Client client, Identity identity) {
        if (identity != null) {
            for (String group : identity.groups()) {
                registry.join(client, group);
            }
        }
        String uid = client.uid();
        if (uid != null) {
            uidLimit.enforce(client, uid);
        }
        boolean anonymous = uid == null && security.anonymousEnabled();
        if (anonymous) {
            deadlines.start(client);
        }
        return new Guard(client, registry, new MessageRate(limits.messagesPerSecond(), limits.messagesBurst(),
                limits.bytesPerSecond(), limits.bytesBurst(), limits.floodCloseAfter(), System.nanoTime()), anonymous);
    }

    private static String parameter(Session session, String name) {
        List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
