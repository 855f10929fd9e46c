package io.herald.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange written by hand, for requests that no HTTP client library sends (broken chunked
 * framing, or a head without its body). The request should say {@code Connection: close}; the response is
 * read to its end.
 */
public final class RawHttp {

    /** The status of an exchange that the server closed without answering. */
    public static final int CLOSED = 0;

    /** The response: status, head and body. */
    public record Response(int status, String head, String body) {

        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).strip()).findFirst().orElse(null);
        }
    }

    private RawHttp() {
    }

    /** Sends the bytes (head and body) to 127.0.0.1 and reads the response. */
    public static Response exchange(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return response(socket.getInputStream());
        } catch (IOException e) {
            throw new AssertionError("raw HTTP exchange failed: " + e, e);
        }
    }

    /** Reads one response from a connection the caller wrote a request on (status {@link #CLOSED} if it closed). */
    public static Response response(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return new Response(CLOSED, "", "");
        }
        String head = (char) first + readHead(in);
        String[] status = head.lines().findFirst().orElse("").split(" ");
        Response partial = new Response(Integer.parseInt(status[1]), head, "");
        return new Response(partial.status(), head,
                readBody(in, partial.header("Content-Length"), partial.header("Transfer-Encoding")));
    }

    /** A response head up to its empty line (or the rest of it, when the caller read its first bytes). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            boolean expected = (matched % 2 == 0) ? b == '\r' : b == '\n';
            matched = expected ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("response head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A response body after its head: chunked, of the given length, or up to the end of the connection. */
    static String readBody(InputStream in, String length, String encoding) throws IOException {
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int n = Integer.parseInt(readLine(in).split(";")[0].strip(), 16);
                if (n == 0) {
                    return body.toString(StandardCharsets.UTF_8);
                }
                body.write(in.readNBytes(n));
                readLine(in);
            }
        }
        if (length != null) {
            return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            in.transferTo(body); // no length: the body ends with the connection
        } catch (SocketTimeoutException e) {
            // the server kept the connection open; what arrived is the body
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
