package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.metrics.Metrics;
import io.herald.routing.Client;
import io.herald.routing.Ids;
import io.herald.routing.Outbox;
import io.herald.routing.Registry;
import io.herald.security.Identity;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The clients of this node that came in through the event stream door, by clientId, so that a frame they
 * post finds its way to their {@link Inbox}. A client leaves this map when its stream ends.
 *
 * <p>{@link StreamConnection}s are given this bean itself (not its CDI proxy) and read its fields.
 */
@ApplicationScoped
public class StreamConnections {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    ConnectionSettings settings;

    @Inject
    Registry registry;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Inject
    Ids ids;

    @Inject
    Reception reception;

    @Resource
    ManagedExecutorService executor;

    private final Map<String, StreamConnection> open = new ConcurrentHashMap<>();

    /** Lets in a client whose handshake checks passed, writing its events to {@code sink}. */
    void open(SseEventSink sink, Sse sse, Identity identity, String uid, String address, Long since, String epoch) {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        StreamConnection connection = new StreamConnection(this, sink, sse, executor, secret);
        Client client = new Client(ids.nextClientId(), Outbox.held(connection, connection,
                settings.sendQueueMaxFrames(), settings.sendQueueMaxBytes()));
        client.address(address);
        connection.client(client);
        open.put(client.id(), connection);
        // Relative to the stream's own URL (…/sse), so that it holds behind a proxy that rewrites paths.
        String post = "sse/" + client.id() + "/" + secret;
        connection.inbox(reception.open(client, identity, uid, uid == null ? null : since, epoch, post));
    }

    /** The stream client with this id; null for an unknown one. */
    StreamConnection find(String clientId) {
        return clientId == null ? null : open.get(clientId);
    }

    /** Compared in constant time, so that timing tells nothing about the secret. */
    static boolean secretMatches(StreamConnection connection, String secret) {
        return secret != null && MessageDigest.isEqual(connection.secret().getBytes(US_ASCII), secret.getBytes(US_ASCII));
    }

    void ended(StreamConnection connection, int code) {
        Client client = connection.client();
        if (client != null) {
            open.remove(client.id(), connection);
            reception.closed(client, code);
        }
    }

    /** Runs a write off the caller's thread; inline once the application stops and its executor with it. */
    void run(Executor writer, Runnable task) {
        try {
            writer.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }
}
