package io.herald.it.support;

import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * One deployed Herald as the tests see it: loopback address, the port and context path of the deployment,
 * the REST API, and the WebSocket clients a test opened (closed by {@link #close()}).
 *
 * <p>The URL Arquillian injects may carry the host's external address; only its port and path are used.
 */
public final class Herald implements AutoCloseable {

    public static final String KEY = "test-key";
    public static final String SECOND_KEY = "second-key";

    private final int port;
    private final String contextPath;
    private final List<WsClient> clients = new CopyOnWriteArrayList<>();
    private final Set<String> background = new CopyOnWriteArraySet<>();

    private Herald(int port, String contextPath) {
        this.port = port;
        this.contextPath = contextPath;
    }

    public static Herald at(URL deploymentUrl) {
        if (deploymentUrl == null) {
            throw new AssertionError("no deployment URL injected");
        }
        String path = deploymentUrl.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int port = deploymentUrl.getPort() > 0 ? deploymentUrl.getPort() : deploymentUrl.getDefaultPort();
        return new Herald(port, path);
    }

    /**
     * Frame types the clients opened from now on treat as background (skipped while awaiting other
     * frames, tolerated by assertNoMessage), in addition to server pings.
     */
    public Herald skipping(String... frameTypes) {
        background.addAll(List.of(frameTypes));
        return this;
    }

    public int port() {
        return port;
    }

    /** The context path without a trailing slash ("" for the root context). */
    public String contextPath() {
        return contextPath;
    }

    /** The REST API with the first test key. */
    public Api api() {
        return api(KEY);
    }

    /** The REST API with the given key; {@code null} sends no Authorization header. */
    public Api api(String key) {
        return new Api("http://127.0.0.1:" + port + contextPath + "/api", key);
    }

    /** Path and query of the WebSocket endpoint, e.g. {@code /herald/ws?uid=alice}. */
    public String wsPath(String query) {
        return contextPath + "/ws" + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    public URI wsUri(String query) {
        return URI.create("ws://127.0.0.1:" + port + wsPath(query));
    }

    /** The event stream door with this query. */
    public URI sseUri(String query) {
        return URI.create("http://127.0.0.1:" + port + contextPath + "/sse"
                + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    /** The backend channel's address. */
    public URI channelUri() {
        return URI.create("ws://127.0.0.1:" + port + contextPath + "/api/ws");
    }

    /** Opens a backend channel with the given API key. */
    public ChannelClient channel(String key) {
        return ChannelClient.open(channelUri(), key);
    }

    /** Connects in development mode as the given uid ({@code null}: unbound); answers pings. */
    public WsClient connect(String uid) {
        return connectQuery(uid == null ? null : "uid=" + Api.seg(uid), true);
    }

    /** Connects with a raw query string. */
    public WsClient connectQuery(String query, boolean autoPong) {
        WsClient c = WsClient.connect(wsUri(query), autoPong, Set.copyOf(background));
        clients.add(c);
        return c;
    }

    /** The HTTP response to a hand-made upgrade request. */
    public RawWebSocket.HandshakeResponse handshake(String query) {
        return RawWebSocket.handshake(port, wsPath(query));
    }

    /** Closes every client this handle opened. */
    @Override
    public void close() {
        for (WsClient c : clients) {
            c.close();
        }
        clients.clear();
    }
}
