package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The REST API of one deployment: {@code http://127.0.0.1:PORT/CONTEXT/api}, with a bearer key.
 * Paths passed in are relative to {@code /api} and already encoded (see {@link #seg(String)}).
 */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final String key;

    public Api(String base, String key) {
        this.base = base;
        this.key = key;
    }

    /** The same API with another key; {@code null} sends no Authorization header. */
    public Api withKey(String otherKey) {
        return new Api(base, otherKey);
    }

    /** Percent-encodes one path segment. */
    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response delete(String path, JsonValue body) {
        return send("DELETE", path, body.toString());
    }

    public Response post(String path, JsonValue body) {
        return send("POST", path, body.toString());
    }

    public Response put(String path, JsonValue body) {
        return send("PUT", path, body.toString());
    }

    public Response patch(String path, JsonValue body) {
        return send("PATCH", path, body.toString());
    }

    /** Any method with a raw body (may be malformed JSON); {@code null} sends no body. */
    public Response send(String method, String path, String body) {
        BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        return exchange(method, path, publisher, body != null);
    }

    /** Sends with extra headers, given as name, value, name, value, … */
    public Response send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(method + " " + path, response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Sends the body with chunked transfer encoding (no Content-Length). */
    public Response sendChunked(String method, String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange(method, path,
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), true);
    }

    private Response exchange(String method, String path, BodyPublisher publisher, boolean hasBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .method(method, publisher)
                .header("Accept", "application/json");
        if (hasBody) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(method + " " + path, r.statusCode(),
                    r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- shortcuts for common calls

    /** POST {"data": data} to a send path; asserts 202 and returns the message id. */
    public String sendData(String path, JsonValue data) {
        return post(path, JsonSupport.obj("data", data)).expect(202).object().getString("id");
    }

    public JsonObject stats() {
        return get("/stats").expect(200).object();
    }

    public void joinGroup(String group, String clientId) {
        put("/groups/" + seg(group) + "/clients/" + seg(clientId), JsonValue.EMPTY_JSON_OBJECT).expect(204);
    }

    public void bind(String clientId, String uid) {
        put("/clients/" + seg(clientId) + "/uid", JsonSupport.obj("uid", uid)).expect(204);
    }

    /** An HTTP response with its body; JSON is parsed on demand. */
    public record Response(String request, int status, String contentType, String body) {

        public JsonValue json() {
            if (body == null || body.isBlank()) {
                fail(request + ": expected a JSON body, got none (status " + status + ")");
            }
            try {
                return JsonSupport.parse(body);
            } catch (RuntimeException e) {
                throw new AssertionError(request + ": body is not JSON (status " + status + "): " + abbreviate(body), e);
            }
        }

        public JsonObject object() {
            JsonValue v = json();
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                fail(request + ": expected a JSON object, got " + abbreviate(body));
            }
            return v.asJsonObject();
        }

        public Response expect(int expectedStatus) {
            if (status != expectedStatus) {
                fail(request + ": expected status " + expectedStatus + " but was " + status + " " + abbreviate(body));
            }
            return this;
        }

        /** Asserts an error response: the status, and a JSON body {"status","code","message"}. */
        public Response expectError(int expectedStatus, String expectedCode) {
            expect(expectedStatus);
            JsonObject o = object();
            assertEquals(expectedCode, o.containsKey("code") && o.get("code") instanceof JsonString s ? s.getString() : null,
                    request + ": error code in " + body);
            assertTrue(o.containsKey("status") && o.get("status").getValueType() == JsonValue.ValueType.NUMBER
                    && o.getInt("status") == expectedStatus, request + ": error status field in " + body);
            assertTrue(o.get("message") instanceof JsonString, request + ": error message field in " + body);
            assertTrue(contentType.toLowerCase().startsWith("application/json"),
                    request + ": error Content-Type should be application/json, was '" + contentType + "'");
            return this;
        }

        private static String abbreviate(String s) {
            if (s == null) {
                return "<no body>";
            }
            return s.length() > 300 ? s.substring(0, 300) + "…" : s;
        }
    }
}
