package io.herald.routing;

import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids that are unique across the cluster and across restarts. Each start of a node draws a fresh random
 * node id (10 base-36 characters, about 51 bits); clientIds and message ids add a counter to it. A
 * clientId therefore names the node that holds the connection, so a cluster can route by it.
 */
@ApplicationScoped
public class Ids {

    private static final String DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final String node = randomNodeId();
    private final AtomicLong clients = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();

    public String node() {
        return node;
    }

    public String nextClientId() {
        return node + '-' + Long.toString(clients.incrementAndGet(), 36);
    }

    public String nextMessageId() {
        return node + ':' + Long.toString(messages.incrementAndGet(), 36);
    }

    /** The node part of a clientId. */
    public static String nodeOf(String clientId) {
        int dash = clientId.indexOf('-');
        return dash < 0 ? "" : clientId.substring(0, dash);
    }

    private static String randomNodeId() {
        SecureRandom random = new SecureRandom();
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = DIGITS.charAt(random.nextInt(DIGITS.length()));
        }
        return new String(id);
    }
}
