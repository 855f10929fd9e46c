package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket upgrade request sent by hand, to see how Herald answers it: with extra headers (Origin,
 * X-Forwarded-For) and from a chosen loopback source address (127.0.0.2, …), which the Tyrus client
 * cannot do. The socket is closed after the response head and body have been read.
 */
public final class Handshake {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The response: status, head and body (empty after a 101). */
    public record Response(int status, String head, String body) {

        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).strip()).findFirst().orElse(null);
        }

        /** Asserts a refusal before the upgrade: the status and the JSON error body's code. */
        public Response assertRefused(int expectedStatus, String expectedCode) {
            assertEquals(expectedStatus, status, "handshake status; head: " + head + "body: " + body);
            JsonObject error = JsonSupport.parse(body).asJsonObject();
            assertEquals(expectedCode, error.getString("code", null), "error code in " + body);
            assertEquals(expectedStatus, error.getInt("status", -1), "status in " + body);
            assertTrue(error.containsKey("message"), "message in " + body);
            return this;
        }

        public Response assertUpgraded() {
            assertEquals(101, status, "handshake status; head: " + head + "body: " + body);
            return this;
        }
    }

    private Handshake() {
    }

    /**
     * @param localAddress the source address (e.g. "127.0.0.2"), or null for any
     * @param headers extra request headers as name, value, name, value, …
     */
    public static Response send(int port, String pathAndQuery, String localAddress, String... headers) {
        return exchange(port, pathAndQuery, localAddress, true, headers);
    }

    /**
     * A plain GET to the same URL (no Upgrade headers), as herald.js sends after a failed WebSocket open to
     * learn why, with extra headers and from a chosen source address like {@link #send}.
     */
    public static Response plain(int port, String pathAndQuery, String localAddress, String... headers) {
        return exchange(port, pathAndQuery, localAddress, false, headers);
    }

    private static Response exchange(int port, String pathAndQuery, String localAddress, boolean upgrade,
                                     String... headers) {
        try (Socket socket = new Socket()) {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(15_000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n");
            if (upgrade) {
                request.append("Upgrade: websocket\r\n")
                        .append("Connection: Upgrade\r\n")
                        .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                        .append("Sec-WebSocket-Version: 13\r\n");
            } else {
                request.append("Connection: close\r\n");
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = RawHttp.readHead(in);
            String statusLine = head.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            int status = Integer.parseInt(parts[1]);
            Response partial = new Response(status, head, "");
            String body = status == 101 ? "" : RawHttp.readBody(in, partial.header("Content-Length"), partial.header("Transfer-Encoding"));
            return new Response(status, head, body);
        } catch (IOException e) {
            throw new AssertionError("handshake to " + pathAndQuery + " failed: " + e, e);
        }
    }
}
