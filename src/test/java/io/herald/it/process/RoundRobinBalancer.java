package io.herald.it.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A round-robin TCP load balancer on 127.0.0.1 in front of servers on 127.0.0.1, as a plain layer-4
 * balancer in front of a cluster would be: each new connection goes to the next server in turn, and to the
 * one after when a server refuses the connection (a dead node), so that clients reconnecting through it
 * land on the survivors. A server that dies takes its connections with it: the balancer closes their
 * client side, as a real one would.
 *
 * <p>One selector thread (no thread per connection: thousands of WebSockets pass through it). Bounded: at
 * most {@code maxConnections} client connections at a time (more are closed at once).
 */
final class RoundRobinBalancer implements AutoCloseable {

    private static final int BUFFER_BYTES = 16 * 1024;

    private final List<Integer> ports;
    private final int maxConnections;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread loop;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    /** Connections passed on to each server, in the order of {@link #ports}. */
    private final AtomicLongArray passed;
    private volatile boolean closed;

    private RoundRobinBalancer(List<Integer> ports, int maxConnections) throws IOException {
        this.ports = List.copyOf(ports);
        this.maxConnections = maxConnections;
        this.passed = new AtomicLongArray(ports.size());
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "balancer");
        loop.setDaemon(true);
        loop.start();
    }

    static RoundRobinBalancer to(List<Integer> ports, int maxConnections) throws IOException {
        return new RoundRobinBalancer(ports, maxConnections);
    }

    int port() {
        return listener.socket().getLocalPort();
    }

    /** How many connections went to each server so far, in the order the ports were given. */
    List<Long> passed() {
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < passed.length(); i++) {
            counts.add(passed.get(i));
        }
        return counts;
    }

    /** One client connection and its connection to a server; each side buffers what goes to the other. */
    private final class Pair {
        final SocketChannel client;
        SocketChannel server;
        SelectionKey clientKey;
        SelectionKey serverKey;
        final ByteBuffer toServer = ByteBuffer.allocate(BUFFER_BYTES);
        final ByteBuffer toClient = ByteBuffer.allocate(BUFFER_BYTES);
        int tries;
        int target;
        boolean clientEnded;
        boolean serverEnded;
        boolean done;

        Pair(SocketChannel client) {
            this.client = client;
        }

        /** Connects to the next server in turn; false when every server refused. */
        boolean connectNext() {
            while (tries < ports.size()) {
                tries++;
                target = Math.floorMod(next.getAndIncrement(), ports.size());
                try {
                    server = SocketChannel.open();
                    server.configureBlocking(false);
                    server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(target)));
                    serverKey = server.register(selector, SelectionKey.OP_CONNECT, this);
                    return true;
                } catch (IOException e) {
                    closeQuietly(server);
                }
            }
            return false;
        }

        void connected() throws IOException {
            try {
                server.finishConnect();
            } catch (IOException refused) {
                // The server is down (a killed node): try the next one, as a balancer's health check would.
                serverKey.cancel();
                closeQuietly(server);
                if (!connectNext()) {
                    close();
                }
                return;
            }
            passed.incrementAndGet(target);
            clientKey = client.register(selector, SelectionKey.OP_READ, this);
            serverKey.interestOps(SelectionKey.OP_READ);
        }

        void ready(SelectionKey key) throws IOException {
            boolean fromClient = key == clientKey;
            if (key.isValid() && key.isWritable()) {
                flush(fromClient ? toClient : toServer, fromClient ? client : server);
            }
            if (key.isValid() && key.isReadable()) {
                ByteBuffer buffer = fromClient ? toServer : toClient;
                int n = (fromClient ? client : server).read(buffer);
                if (n < 0) {
                    if (fromClient) {
                        clientEnded = true;
                    } else {
                        serverEnded = true;
                    }
                }
                flush(buffer, fromClient ? server : client);
            }
            update();
        }

        private void flush(ByteBuffer buffer, SocketChannel to) throws IOException {
            buffer.flip();
            to.write(buffer);
            buffer.compact();
        }

        /** Reads from a side only while its buffer has room; writes to a side while bytes wait for it. */
        private void update() {
            if (done) {
                return;
            }
            boolean toServerEmpty = toServer.position() == 0;
            boolean toClientEmpty = toClient.position() == 0;
            // Either side ended (or broke): pass on what is buffered, then close both, as the server's death
            // or the client's close ends the connection.
            if ((clientEnded && toServerEmpty) || (serverEnded && toClientEmpty)) {
                close();
                return;
            }
            int clientOps = (clientEnded || !toServer.hasRemaining() ? 0 : SelectionKey.OP_READ)
                    | (toClientEmpty ? 0 : SelectionKey.OP_WRITE);
            int serverOps = (serverEnded || !toClient.hasRemaining() ? 0 : SelectionKey.OP_READ)
                    | (toServerEmpty ? 0 : SelectionKey.OP_WRITE);
            clientKey.interestOps(clientOps);
            serverKey.interestOps(serverOps);
        }

        void close() {
            if (!done) {
                done = true;
                open.decrementAndGet();
                closeQuietly(client);
                closeQuietly(server);
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(500);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Pair pair = (Pair) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            pair.connected();
                        } else {
                            pair.ready(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        // a reset by either side: the connection is over, both ways
                        pair.close();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closing
        }
    }

    private void accept() throws IOException {
        SocketChannel client;
        while ((client = listener.accept()) != null) {
            if (open.get() >= maxConnections) {
                closeQuietly(client);
                continue;
            }
            open.incrementAndGet();
            client.configureBlocking(false);
            client.socket().setTcpNoDelay(true);
            Pair pair = new Pair(client);
            if (!pair.connectNext()) {
                pair.close();
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closed anyway
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        selector.wakeup();
        loop.join(5000);
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Pair pair) {
                pair.close();
            }
        }
        try {
            listener.close();
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
