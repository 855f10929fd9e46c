package io.herald.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on 127.0.0.1 for the soak: checks each request's signature as PROTOCOL.md asks a
 * receiver to, counts events by type, counts repeated event ids (delivery is at least once) and answers 204
 * at once. It keeps the visitors' uids that went online and offline, so that the soak can match them
 * against the visitors it made.
 */
final class WebhookSink implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] secret;
    private final Map<String, AtomicLong> byType = new ConcurrentHashMap<>();
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    final AtomicLong received = new AtomicLong();
    final AtomicLong repeated = new AtomicLong();
    final AtomicLong badSignatures = new AtomicLong();
    /** Uids with this prefix (the soak's visitors) are recorded per event type below. */
    private final String watchedPrefix;
    final Set<String> watchedOnline = ConcurrentHashMap.newKeySet();
    final Set<String> watchedOffline = ConcurrentHashMap.newKeySet();

    WebhookSink(String secret, String watchedPrefix) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.watchedPrefix = watchedPrefix;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        // Herald sends at most herald.webhook.concurrency (16) at a time: as many threads answer them all.
        executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "webhook-sink");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/herald-events";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String timestamp = exchange.getRequestHeaders().getFirst("Herald-Timestamp");
            String signature = exchange.getRequestHeaders().getFirst("Herald-Signature");
            if (!verified(timestamp, signature, body)) {
                badSignatures.incrementAndGet();
            }
            count(new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private void count(String json) {
        received.incrementAndGet();
        String id = field(json, "\"id\":\"");
        if (id != null && !ids.add(id)) {
            repeated.incrementAndGet();
            return;
        }
        String type = field(json, "\"type\":\"");
        byType.computeIfAbsent(type == null ? "?" : type, k -> new AtomicLong()).incrementAndGet();
        String uid = field(json, "\"uid\":\"");
        if (uid != null && uid.startsWith(watchedPrefix)) {
            if ("uid.online".equals(type)) {
                watchedOnline.add(uid);
            } else if ("uid.offline".equals(type)) {
                watchedOffline.add(uid);
            }
        }
    }

    private boolean verified(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
            for (String part : signature.split(",")) {
                if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        part.trim().getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** The string value after {@code key} (which ends with the opening quote), or null. */
    private static String field(String json, String key) {
        int at = json.indexOf(key);
        if (at < 0) {
            return null;
        }
        int from = at + key.length();
        int end = json.indexOf('"', from);
        return end < 0 ? null : json.substring(from, end);
    }

    /** Distinct events received so far, by type. */
    Map<String, Long> byType() {
        Map<String, Long> out = new TreeMap<>();
        byType.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long distinct() {
        return ids.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
