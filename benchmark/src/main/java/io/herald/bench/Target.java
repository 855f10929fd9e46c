package io.herald.bench;

import java.util.List;

/** The thin adapter between the generator and a server: URLs, request bodies, frame format. */
final class Target {

    /** Herald; the container floor (a naive endpoint at Herald's paths, on the same server); the Node peer. */
    enum Kind { HERALD, FLOOR, REFERENCE }

    final String name;
    final Kind kind;
    final int[] wsPorts;
    final int pushPort;
    final List<Long> pids;
    final String apiKey;

    Target(String name, Kind kind, int[] wsPorts, int pushPort, List<Long> pids, String apiKey) {
        this.name = name;
        this.kind = kind;
        this.wsPorts = wsPorts;
        this.pushPort = pushPort;
        this.pids = pids;
        this.apiKey = apiKey;
    }

    /** Herald itself: durable pushes, its counters, its database. */
    boolean herald() {
        return kind == Kind.HERALD;
    }

    /** A JVM on an app server: memory from jcmd. */
    boolean jvm() {
        return kind != Kind.REFERENCE;
    }

    /** Herald's paths and bodies (Herald and the floor); the reference has its own. */
    boolean heraldApi() {
        return kind != Kind.REFERENCE;
    }

    /** Client i connects to node i mod nodes. */
    String wsUrl(int index, Long since) {
        int port = wsPorts[index % wsPorts.length];
        String uid = Fleet.uid(index);
        if (kind == Kind.REFERENCE) {
            return "ws://127.0.0.1:" + port + "/?uid=" + uid;
        }
        return heraldWsUrl(port, uid) + (since == null ? "" : "&since=" + since);
    }

    /**
     * The WebSocket URL of a uid on a node with Herald's path. Herald's clients take joined frames, as
     * herald.js does ({@code batch=1}; {@link Fleet} reads arrays). The floor gets the same URL and ignores
     * the parameter: both containers keep the upgrade request's query, so the heap per connection compares
     * the same request.
     */
    String heraldWsUrl(int port, String uid) {
        return "ws://127.0.0.1:" + port + "/ws?uid=" + uid + "&batch=1";
    }

    int nodeOf(int index) {
        return index % wsPorts.length;
    }

    String pushPath(String uid) {
        return heraldApi() ? "/api/uids/" + uid + "/messages" : "/push/" + uid;
    }

    String pushBody(String data, boolean durable) {
        return heraldApi() && !durable ? "{\"data\":" + data + ",\"durable\":false}" : "{\"data\":" + data + "}";
    }

    String broadcastPath() {
        return heraldApi() ? "/api/broadcast" : "/broadcast";
    }

    String broadcastBody(String data) {
        return "{\"data\":" + data + "}";
    }

    String batchPath() {
        return heraldApi() ? "/api/messages" : "/messages";
    }

    String batchBody(int from, int count, String data, boolean durable) {
        StringBuilder body = new StringBuilder(count * 8 + data.length() + 64).append("{\"to\":{\"uids\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append('"').append(Fleet.uid(from + i)).append('"');
        }
        body.append("]},\"data\":").append(data);
        if (heraldApi() && !durable) {
            body.append(",\"durable\":false");
        }
        return body.append('}').toString();
    }

    /** The batch of distinct messages, one uid each (the reference's has no store: ephemeral only). */
    String messagesBatchPath() {
        return heraldApi() ? "/api/messages/batch" : "/batch";
    }

    String statsPath() {
        return heraldApi() ? "/api/stats" : "/stats";
    }

    /** Herald's backend channel on the push port. */
    java.net.URI channelUri() {
        return java.net.URI.create("ws://127.0.0.1:" + pushPort + "/api/ws");
    }

    Http http() {
        return new Http("127.0.0.1", pushPort, apiKey);
    }

    Http http(int node) {
        return new Http("127.0.0.1", wsPorts[node], apiKey);
    }
}
