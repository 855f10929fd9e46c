package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A client of the event stream door on the JDK's HTTP client: {@code GET /sse} read line by line into
 * events (PROTOCOL.md, "Event stream"), and its frames posted to the URL the welcome names. Nothing here
 * answers pings unless the test posts a pong.
 */
public final class SseClient implements AutoCloseable {

    /** One server-sent event: its {@code id} (null without one), its data as JSON, its {@code retry} (or -1). */
    public record Event(String id, JsonObject frame, long retry) {
        public String type() {
            return frame.getString("type");
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final URI uri;
    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final List<Event> all = new ArrayList<>();
    private volatile String failure;
    private volatile boolean autoPong;
    private Event welcome;

    private SseClient(URI uri, HttpResponse<Stream<String>> response) {
        this.uri = uri;
        this.response = response;
    }

    /** From now on, answers every ping event by posting a pong, as a live client does. */
    public SseClient answeringPings() {
        autoPong = true;
        return this;
    }

    /**
     * Opens a stream; {@code headers} are name, value pairs (e.g. {@code Last-Event-ID}, {@code Origin}).
     * Returns once the response's head has arrived; for a 200 its events are read in the background.
     */
    public static SseClient open(URI uri, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<Stream<String>> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        SseClient client = new SseClient(uri, response);
        if (response.statusCode() == 200) {
            Thread reader = new Thread(client::read, "sse-test-reader");
            reader.setDaemon(true);
            reader.start();
        }
        return client;
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of a refusal, as JSON. */
    public JsonObject refusal() {
        StringBuilder body = new StringBuilder();
        response.body().forEach(body::append);
        return JsonSupport.parse(body.toString()).asJsonObject();
    }

    private void read() {
        String id = null;
        StringBuilder data = new StringBuilder();
        long retry = -1;
        try {
            Iterator<String> lines = response.body().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        Event event = new Event(id, JsonSupport.parse(data.toString()).asJsonObject(), retry);
                        synchronized (all) {
                            all.add(event);
                        }
                        if (autoPong && event.type().equals("ping")) {
                            URI post;
                            synchronized (all) {
                                post = uri.resolve(all.get(0).frame().getString("post"));
                            }
                            HTTP.sendAsync(HttpRequest.newBuilder(post)
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"pong\"}")).build(),
                                    HttpResponse.BodyHandlers.discarding());
                        } else {
                            events.add(event);
                        }
                    }
                    id = null;
                    data.setLength(0);
                    retry = -1;
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(field(line));
                } else if (line.startsWith("id:")) {
                    id = field(line);
                } else if (line.startsWith("retry:")) {
                    retry = Long.parseLong(field(line));
                }
            }
        } catch (RuntimeException e) {
            failure = String.valueOf(e);
        } finally {
            ended.countDown();
        }
    }

    private static String field(String line) {
        String value = line.substring(line.indexOf(':') + 1);
        return value.startsWith(" ") ? value.substring(1) : value;
    }

    /** The welcome event, which must be the first. */
    public synchronized JsonObject welcome() {
        if (welcome == null) {
            Event first = next(Duration.ofSeconds(10));
            assertEquals("welcome", first.type(), "the first event: " + first);
            welcome = first;
        }
        return welcome.frame();
    }

    public String clientId() {
        return welcome().getString("clientId");
    }

    /** The next event of any type. */
    public Event next(Duration timeout) {
        try {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("no event within " + timeout + " on " + uri + (failure == null ? "" : " (" + failure + ")"));
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next event of this type; events of other types before it are skipped. */
    public Event await(String type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event event = next(Duration.ofNanos(Math.max(1, left)));
            if (event.type().equals(type)) {
                return event;
            }
        }
    }

    /** Whether the stream ended within the timeout. */
    public boolean awaitEnd(Duration timeout) {
        try {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The events received so far (whether awaited or not). */
    public List<Event> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The URL the welcome names for this client's frames. */
    public URI postUri() {
        welcome();
        synchronized (all) {
            return uri.resolve(all.get(0).frame().getString("post"));
        }
    }

    /** Posts one frame to the welcome's URL. */
    public HttpResponse<String> post(String frame) {
        return post(postUri(), frame);
    }

    /** Posts a body to any URL, as text. */
    public static HttpResponse<String> post(URI target, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "text/plain;charset=UTF-8").build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the stream from this side. */
    @Override
    public void close() {
        if (response.statusCode() == 200) {
            response.body().close();
        }
    }
}
