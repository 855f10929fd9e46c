package io.herald.api;

import io.herald.core.HeraldException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The REST API's operations by method and path, for the backend channel: each request on the channel runs
 * the same resource method its REST twin runs, with the body already parsed, so that the two give the same
 * answers and errors. Health and metrics stay HTTP-only (probes and scrapers speak HTTP).
 *
 * <p>The result is what the resource method returns: a {@code Response}, a {@code JsonObject} (200), or a
 * {@code CompletionStage<Response>} (a durable push, answered after its commit).
 */
@ApplicationScoped
public class Operations {

    @Inject
    MessagesResource messages;

    @Inject
    UidsResource uids;

    @Inject
    UidNamesResource uidNames;

    @Inject
    ClientsResource clients;

    @Inject
    GroupsResource groups;

    @Inject
    StatsResource stats;

    @Inject
    NodeResource node;

    /** A request's target: its path below {@code /api} split into decoded segments, and its query. */
    record Target(String[] segments, Map<String, String> query) {

        /** {@code /uids/a%20b/messages?since=4} → [uids, a b, messages] and {since=4}. */
        static Target parse(String path) {
            int q = path.indexOf('?');
            String p = q < 0 ? path : path.substring(0, q);
            if (p.startsWith("/")) {
                p = p.substring(1);
            }
            if (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            String[] segments = p.isEmpty() ? new String[0] : p.split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                segments[i] = decode(segments[i], false);
            }
            Map<String, String> query = new HashMap<>();
            if (q >= 0) {
                for (String pair : path.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
                    if (!name.isEmpty()) {
                        query.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1), true));
                    }
                }
            }
            return new Target(segments, query);
        }

        /** Percent-decoding; '+' is a space only in a query, as for a URL. */
        private static String decode(String text, boolean query) {
            if (text.indexOf('%') < 0 && (!query || text.indexOf('+') < 0)) {
                return text;
            }
            try {
                return URLDecoder.decode(query ? text : text.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HeraldException.badRequest("bad_request", "the path has a malformed percent-encoding");
            }
        }

        private String query(String name, String otherwise) {
            return query.getOrDefault(name, otherwise);
        }
    }

    /**
     * Runs one operation; throws what the resource throws (the channel answers it as REST's mappers would),
     * 404 for a path the API does not have and 405 for a method its path does not take.
     *
     * @param body the request's body, or null for none
     */
    public Object perform(String method, Target target, JsonObject body, String idempotencyKey) {
        String[] s = target.segments();
        String first = s.length > 0 ? s[0] : "";
        switch (first) {
            case "broadcast":
                if (s.length == 1) {
                    allow(method, "POST");
                    return messages.broadcast(required(body));
                }
                break;
            case "messages":
                if (s.length == 1) {
                    allow(method, "POST");
                    return messages.send(idempotencyKey, required(body));
                }
                if (s.length == 2 && s[1].equals("batch")) {
                    allow(method, "POST");
                    return messages.batch(idempotencyKey, required(body));
                }
                break;
            case "uids":
                return uids(method, s, target, body, idempotencyKey);
            case "clients":
                return clients(method, s, body);
            case "groups":
                return groups(method, s, target, body, idempotencyKey);
            case "stats":
                if (s.length == 1) {
                    allow(method, "GET");
                    return stats.stats();
                }
                break;
            case "node":
                if (s.length == 1) {
                    allow(method, "GET");
                    return node.describe();
                }
                if (s.length == 2 && s[1].equals("drain")) {
                    if (method.equals("POST")) {
                        return node.start();
                    }
                    allow(method, "DELETE");
                    return node.cancel();
                }
                break;
            default:
                break;
        }
        throw notFound();
    }

    private Object uids(String method, String[] s, Target target, JsonObject body, String idempotencyKey) {
        if (s.length == 1) {
            allow(method, "GET");
            return uidNames.names(target.query("after", null), target.query("limit", "1000"));
        }
        String uid = s[1];
        if (s.length == 2) {
            allow(method, "GET");
            return uids.describe(uid);
        }
        if (s.length == 3 && s[2].equals("messages")) {
            if (method.equals("POST")) {
                return uids.send(uid, idempotencyKey, required(body));
            }
            allow(method, "GET");
            return uids.history(uid, target.query("since", "0"), target.query("limit", "100"));
        }
        if (s.length == 3 && s[2].equals("clients")) {
            allow(method, "DELETE");
            return uids.closeClients(uid);
        }
        throw notFound();
    }

    private Object clients(String method, String[] s, JsonObject body) {
        if (s.length < 2) {
            throw notFound();
        }
        String clientId = s[1];
        if (s.length == 2) {
            if (method.equals("GET")) {
                return clients.describe(clientId);
            }
            allow(method, "DELETE");
            return clients.close(clientId, body);
        }
        if (s.length == 3) {
            switch (s[2]) {
                case "messages":
                    allow(method, "POST");
                    return clients.send(clientId, required(body));
                case "uid":
                    if (method.equals("PUT")) {
                        return clients.bind(clientId, required(body));
                    }
                    allow(method, "DELETE");
                    return clients.unbind(clientId);
                case "session":
                    if (method.equals("GET")) {
                        return clients.session(clientId);
                    }
                    if (method.equals("PUT")) {
                        return clients.setSession(clientId, required(body));
                    }
                    allow(method, "PATCH");
                    return clients.mergeSession(clientId, required(body));
                default:
                    break;
            }
        }
        throw notFound();
    }

    private Object groups(String method, String[] s, Target target, JsonObject body, String idempotencyKey) {
        if (s.length == 1) {
            allow(method, "GET");
            return groups.names(target.query("after", null), target.query("limit", "1000"));
        }
        String group = s[1];
        if (s.length == 2) {
            if (method.equals("GET")) {
                return groups.describe(group);
            }
            allow(method, "DELETE");
            return groups.dissolve(group);
        }
        if (s.length == 3 && s[2].equals("messages")) {
            if (method.equals("POST")) {
                return groups.send(group, idempotencyKey, required(body));
            }
            allow(method, "GET");
            return groups.history(group, target.query("since", "0"), target.query("limit", "100"));
        }
        if (s.length == 4 && s[2].equals("clients")) {
            if (method.equals("PUT")) {
                return groups.join(group, s[3]);
            }
            allow(method, "DELETE");
            return groups.leave(group, s[3]);
        }
        throw notFound();
    }

    /** The path's last method left to match; any other gets 405, as REST answers. */
    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HeraldException(405, "method_not_allowed", "this path does not take " + method);
        }
    }

    /** REST reads a missing body as an empty one: 400 bad_json. */
    private static JsonObject required(JsonObject body) {
        if (body == null) {
            throw HeraldException.badRequest("bad_json", "a JSON object body is required");
        }
        return body;
    }

    private static HeraldException notFound() {
        return new HeraldException(404, "not_found", "the REST API has no such path (paths are below /api,"
                + " e.g. /uids/{uid}/messages; health and metrics are HTTP only)");
    }
}
