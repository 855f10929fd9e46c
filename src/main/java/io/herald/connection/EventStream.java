package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.security.SecuritySettings;
import io.herald.core.JsonCodec;
import io.herald.core.Names;
import io.herald.security.Admission;
import io.herald.security.Peer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * The event stream door (PROTOCOL.md, "Event stream"): {@code GET /sse} is a client's stream of server-sent
 * events, one per frame a WebSocket would carry, and {@code POST /sse/{clientId}/{secret}} carries one frame
 * of the client's. The handshake filter has screened the GET as it screens a WebSocket handshake.
 */
@ApplicationScoped
@Path("")
public class EventStream {

    /** For a body whose declared length was charged before it was read. */
    private static final IntPredicate ALREADY_CHARGED = bytes -> true;

    @Inject
    ConnectionSettings settings;

    @Inject
    SecuritySettings security;

    @Inject
    StreamConnections connections;

    @Inject
    Admission admission;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void open(@Context HttpServletRequest request, @Context HttpServletResponse response,
                     @Context SseEventSink sink, @Context Sse sse,
                     @HeaderParam("Last-Event-ID") String lastEventId) {
        if (!(request.getAttribute(HandshakeFilter.PEER) instanceof Peer peer)) {
            // Only the filter sets it; a request that did not pass the filter passed no check.
            sink.close();
            return;
        }
        // Proxies that buffer responses (nginx) would hold events back; this one header tells nginx not to.
        response.setHeader("X-Accel-Buffering", "no");
        response.setHeader("Cache-Control", "no-store");
        String uid = peer.identity() != null ? peer.identity().uid() : devModeUid(request);
        connections.open(sink, sse, peer.identity(), uid, peer.address(), HandshakeFilter.since(request),
                request.getParameter("epoch"));
    }

    /**
     * One frame of the client's, charged to its rate (frames and bytes) before it is read further or parsed,
     * exactly as a WebSocket frame. Refusals of the POST itself are HTTP answers; what the frame then causes
     * (a pong, an error about its content) comes on the stream.
     */
    @POST
    @Path("{clientId}/{secret}")
    @Consumes(MediaType.WILDCARD)
    public Response post(@PathParam("clientId") String clientId, @PathParam("secret") String secret,
                         @HeaderParam("Content-Length") String length, @Context HttpServletRequest request,
                         InputStream body) throws IOException {
        StreamConnection connection = connections.find(clientId);
        Inbox inbox = connection == null ? null : connection.inbox();
        if (inbox == null || inbox.client().closed()) {
            return error(request, 404, "client_not_found", "no such stream client on this node (its stream ended?)");
        }
        if (!StreamConnections.secretMatches(connection, secret)) {
            return error(request, 403, "bad_secret", "this is not the URL the client's welcome named");
        }
        int max = settings.frameMaxBytes();
        long declared = declaredLength(length);
        byte[] bytes;
        if (declared >= 0) {
            // Charged as declared before a byte is read (a length over the limit as the limit and one byte).
            if (!inbox.admit((int) Math.min(declared, max + 1L))) {
                return rateLimited(request);
            }
            bytes = declared > max ? null : readCharged(body, max + 1, ALREADY_CHARGED, ALREADY_CHARGED);
        } else {
            // No length (chunked): read as a WebSocket frame's parts are, each piece charged before the next.
            bytes = readCharged(body, max + 1, inbox::admit, inbox::admitMore);
            if (bytes == null) {
                return rateLimited(request);
            }
        }
        if (bytes == null || bytes.length > max) {
            return error(request, 413, "frame_too_large", "a frame is at most " + max + " bytes (herald.frame.max-bytes)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return error(request, 400, "bad_json", "the frame is not UTF-8 text");
        }
        JsonObject frame;
        try {
            frame = Inbox.parse(text);
        } catch (Inbox.BadFrame bad) {
            return error(request, 400, bad.code(), bad.getMessage());
        }
        inbox.dispatch(frame);
        return cors(request, Response.noContent()).build();
    }

    private static long declaredLength(String length) {
        if (length == null || !length.matches("[0-9]{1,18}")) {
            return -1;
        }
        return Long.parseLong(length);
    }

    private Response rateLimited(HttpServletRequest request) {
        return error(request, 429, "rate_limited",
                "too many frames or bytes (herald.limits.messages-per-second, herald.limits.bytes-per-second)");
    }

    /**
     * At most {@code limit} bytes of a body (enough to know it is over the frame limit), read piece by piece:
     * the first piece is charged with {@code first} (a new frame), each further one with {@code more}, before
     * the next is read.
     * Null as soon as a charge is refused: the rest is never read. An empty body is charged as a frame too.
     */
    static byte[] readCharged(InputStream body, int limit, IntPredicate first, IntPredicate more) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < limit && (n = body.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) > 0) {
            if (!(out.size() == 0 ? first.test(n) : more.test(n))) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        if (out.size() == 0 && !first.test(0)) {
            return null;
        }
        return out.toByteArray();
    }

    /** The handshake filter has already refused a uid outside development mode, or a malformed one. */
    private String devModeUid(HttpServletRequest request) {
        String uid = request.getParameter("uid");
        return uid == null || !security.devMode() || !Names.validName(uid) ? null : uid;
    }

    private Response error(HttpServletRequest request, int status, String code, String message) {
        return cors(request, Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonCodec.object().add("status", status).add("code", code).add("message", message)
                        .build().toString())).build();
    }

    /** A page of another origin that may connect reads the answers to its posts. */
    private Response.ResponseBuilder cors(HttpServletRequest request, Response.ResponseBuilder response) {
        String origin = request.getHeader("Origin");
        if (origin != null && admission.originAllowed(request)) {
            response.header("Access-Control-Allow-Origin", origin);
        }
        return response.header("Vary", "Origin").header("Cache-Control", "no-store");
    }
}
