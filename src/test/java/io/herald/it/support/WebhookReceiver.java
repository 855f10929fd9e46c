package io.herald.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real webhook endpoint in the test JVM (JDK HttpServer on 127.0.0.1, any free port). It records every
 * request with its headers and the status it answered, and can be told to answer 500 to the next requests
 * about a uid, or to hold every request until released.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received, and how it was answered (0 while it is still held). */
    public static final class Request {
        public final String eventId;
        public final String eventType;
        public final String timestamp;
        public final String signature;
        public final String contentType;
        public final String body;
        public final JsonObject json;
        public final long receivedNanos = System.nanoTime();
        volatile int status;
        volatile long answeredNanos;

        Request(HttpExchange exchange, String body) {
            this.eventId = exchange.getRequestHeaders().getFirst("Herald-Event-Id");
            this.eventType = exchange.getRequestHeaders().getFirst("Herald-Event-Type");
            this.timestamp = exchange.getRequestHeaders().getFirst("Herald-Timestamp");
            this.signature = exchange.getRequestHeaders().getFirst("Herald-Signature");
            this.contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            this.body = body;
            this.json = JsonSupport.parse(body).asJsonObject();
        }

        public String type() {
            return json.getString("type");
        }

        public JsonObject data() {
            return json.getJsonObject("data");
        }

        /** data.uid, or null. */
        public String uid() {
            JsonValue uid = data().get("uid");
            return uid instanceof jakarta.json.JsonString s ? s.getString() : null;
        }

        public int status() {
            return status;
        }

        public long answeredNanos() {
            return answeredNanos;
        }

        public boolean delivered() {
            return status == 200;
        }

        @Override
        public String toString() {
            return type() + " " + eventId + " -> " + status + " " + body;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private volatile CountDownLatch hold;
    private final AtomicInteger held = new AtomicInteger();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/hooks", receiver::handle);
            server.setExecutor(receiver.threads);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** Answers 500 to the next {@code count} requests whose data.uid is {@code uid}. */
    public void failNext(String uid, int count) {
        failures.put(uid, new AtomicInteger(count));
    }

    /** From now on, holds every request unanswered until {@link #release()}. */
    public void hold() {
        hold = new CountDownLatch(1);
    }

    /** Answers the held requests (200) and stops holding. */
    public void release() {
        CountDownLatch latch = hold;
        hold = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Requests being held right now. */
    public int held() {
        return held.get();
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    public List<Request> requests(Predicate<Request> matching) {
        return requests.stream().filter(matching).toList();
    }

    /** The first request matching that was answered 200, waiting for it up to the timeout. */
    public Request awaitDelivered(Predicate<Request> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Request request : requests) {
                if (request.delivered() && matching.test(request)) {
                    return request;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no delivered webhook matched within " + timeout.toMillis() + " ms; received: " + requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Request request = new Request(exchange, body);
        requests.add(request);
        int status = 200;
        CountDownLatch latch = hold;
        if (latch != null) {
            held.incrementAndGet();
            try {
                latch.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
        }
        AtomicInteger failing = request.uid() == null ? null : failures.get(request.uid());
        if (failing != null && failing.getAndDecrement() > 0) {
            status = 500;
        }
        // Recorded before the answer leaves, so that whatever the sender does next is seen after it.
        request.answeredNanos = System.nanoTime();
        request.status = status;
        try {
            exchange.sendResponseHeaders(status, -1);
        } catch (IOException e) {
            request.status = -1; // the sender gave up (its timeout) before the answer
        }
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
