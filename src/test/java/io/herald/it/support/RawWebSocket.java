package io.herald.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client written by hand on a plain TCP socket: for handshakes whose HTTP status matters,
 * and for a client that upgrades and then stops reading (a slow consumer).
 */
public final class RawWebSocket implements Closeable {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The status line and headers of an HTTP response to an upgrade request. */
    public record HandshakeResponse(int status, String statusLine, String head) {
    }

    /** One server frame: opcode and payload (server frames are not masked). */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or 1005 when the close frame has no code. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Sends an upgrade request for {@code pathAndQuery} and returns the response head; closes the socket.
     * {@code headers} are extra header lines, e.g. {@code "Authorization: Bearer k"}.
     */
    public static HandshakeResponse handshake(int port, String pathAndQuery, String... headers) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(15_000);
            RawWebSocket raw = new RawWebSocket(s);
            return raw.upgrade(port, pathAndQuery, headers);
        } catch (IOException e) {
            throw new AssertionError("raw handshake to " + pathAndQuery + " failed: " + e, e);
        }
    }

    /**
     * Opens a WebSocket connection by hand. A receive buffer size &gt; 0 is set before connecting, so a
     * client that stops reading fills up quickly.
     */
    public static RawWebSocket open(int port, String pathAndQuery, int receiveBufferSize, String... headers) {
        Socket s = new Socket();
        try {
            if (receiveBufferSize > 0) {
                s.setReceiveBufferSize(receiveBufferSize);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(15_000);
            RawWebSocket raw = new RawWebSocket(s);
            HandshakeResponse r = raw.upgrade(port, pathAndQuery, headers);
            assertEquals(101, r.status(), "upgrade response: " + r.head());
            return raw;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw new AssertionError("raw WebSocket to " + pathAndQuery + " failed: " + e, e);
        }
    }

    private HandshakeResponse upgrade(int port, String pathAndQuery, String... headers) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList())
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead();
        String statusLine = head.lines().findFirst().orElse("");
        String[] parts = statusLine.split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            fail("not an HTTP status line: '" + statusLine + "'");
        }
        return new HandshakeResponse(Integer.parseInt(parts[1]), statusLine, head);
    }

    /** Reads the response head byte by byte (so no frame bytes are consumed) up to the empty line. */
    private String readHead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (buf.size() == 0) {
                    throw new EOFException("connection closed before any response");
                }
                break;
            }
            buf.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (buf.size() > 64 * 1024) {
                throw new IOException("response head too long");
            }
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one complete frame (fragments are not joined: Herald sends whole text frames). */
    public Frame readFrame() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((long) readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("server frame is masked");
        }
        if (len > 16 * 1024 * 1024) {
            throw new IOException("frame too long: " + len);
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len) {
            throw new EOFException("connection closed inside a frame");
        }
        return new Frame(b0 & 0x0f, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    /** Sends a masked text frame. */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) (((long) payload.length >>> (8 * i)) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
