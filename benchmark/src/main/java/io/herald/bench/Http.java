package io.herald.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One persistent HTTP/1.1 connection, blocking: a request is one write, its response is read whole. Far
 * cheaper per request than a general client, so that the generator does not hide the server's cost. Each
 * pusher thread owns one. Handles Content-Length and chunked bodies; reconnects after a failure or a close.
 */
final class Http implements Closeable {

    record Response(int status, String body) {
    }

    private final String host;
    private final int port;
    private final String authorization;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    Http(String host, int port, String apiKey) {
        this.host = host;
        this.port = port;
        this.authorization = apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n";
    }

    Response post(String path, String json) throws IOException {
        return exchange("POST", path, json.getBytes(StandardCharsets.UTF_8));
    }

    Response get(String path) throws IOException {
        return exchange("GET", path, null);
    }

    /** A PUT without a body (Content-Length: 0), as the group joins take it. */
    Response put(String path) throws IOException {
        return exchange("PUT", path, new byte[0]);
    }

    Response delete(String path) throws IOException {
        return exchange("DELETE", path, null);
    }

    /** One attempt on the open connection; if it was closed under us before any answer, one retry on a new one. */
    private Response exchange(String method, String path, byte[] body) throws IOException {
        boolean fresh = socket == null;
        try {
            return once(method, path, body);
        } catch (IOException e) {
            close();
            if (fresh) {
                throw e;
            }
            return once(method, path, body);
        }
    }

    private Response once(String method, String path, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }
        StringBuilder head = new StringBuilder(160 + path.length())
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\n").append(authorization);
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            out.write(h);
        } else {
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            out.write(all);
        }
        out.flush();

        String status = line();
        if (status == null) {
            throw new IOException("connection closed before the response");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase().contains("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = line();
                if (size == null) {
                    throw new IOException("truncated chunked body");
                }
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                        // trailers ignored
                    }
                    break;
                }
                content.write(in.readNBytes(n));
                line();
            }
        } else if (length > 0) {
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length < length) {
                throw new IOException("truncated body");
            }
            content.write(bytes);
        } else if (length < 0 && code != 204 && code != 304) {
            content.write(in.readAllBytes()); // body until close
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(code, content.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        out = null;
        in = null;
    }
}
