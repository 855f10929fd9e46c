package io.herald.it.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a server on 127.0.0.1, so that a test can close every socket under a
 * client ({@link #cut()}) or make the server unreachable ({@link #refuse}: connections are accepted and closed
 * at once). Bounded: at most {@code MAX_CONNECTIONS} at a time (more are closed at once), and it closes itself
 * after its lifetime, should a test forget to.
 */
final class CuttingProxy implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 64;

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger accepted = new AtomicInteger();

    private CuttingProxy(int targetPort, Duration lifetime) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        daemon("proxy-accept", this::acceptLoop).start();
        daemon("proxy-lifetime", () -> {
            try {
                Thread.sleep(lifetime.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            close();
        }).start();
    }

    static CuttingProxy to(int targetPort, Duration lifetime) throws IOException {
        return new CuttingProxy(targetPort, lifetime);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted and passed on so far. */
    int connections() {
        return accepted.get();
    }

    /** Closes every socket of every connection now open, both sides. */
    void cut() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    /** While true, new connections are closed as soon as they are accepted. */
    void refuse(boolean refuse) {
        refusing.set(refuse);
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing.get() || sockets.size() >= 2 * MAX_CONNECTIONS) {
                closeQuietly(client);
                continue;
            }
            Socket server;
            try {
                server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            accepted.incrementAndGet();
            sockets.add(client);
            sockets.add(server);
            daemon("proxy-up", () -> pipe(client, server)).start();
            daemon("proxy-down", () -> pipe(server, client)).start();
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // cut, or closed by either side: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                listener.close();
            } catch (IOException e) {
                // closing anyway
            }
            cut();
        }
    }
}
