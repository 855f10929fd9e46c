package io.herald.connection;

import io.herald.routing.ConnectionSettings;
import io.herald.security.SecuritySettings;
import io.herald.core.JsonCodec;
import io.herald.core.Names;
import io.herald.security.Admission;
import io.herald.security.Peer;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Resource
    ManagedExecutorService executor;

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
     * (a pong, an error about its content) comes on the stream. The body is read as it arrives, holding no
     * thread meanwhile ({@link PostedFrame}), and a body not all there by {@code herald.limits.post-body-seconds}
     * is answered 408: a client cannot tie up the server's request threads by posting slowly.
     */
    @POST
    @Path("{clientId}/{secret}")
    @Consumes(MediaType.WILDCARD)
    public void post(@PathParam("clientId") String clientId, @PathParam("secret") String secret,
                     @HeaderParam("Content-Length") String length, @Context HttpServletRequest request,
                     @Suspended AsyncResponse answer) throws IOException {
        // Decided here, on the request's thread: the answer may be given on another.
        String origin = allowedOrigin(request);
        StreamConnection connection = connections.find(clientId);
        Inbox inbox = connection == null ? null : connection.inbox();
        if (inbox == null || inbox.client().closed()) {
            answer.resume(error(origin, 404, "client_not_found", "no such stream client on this node (its stream ended?)"));
            return;
        }
        if (!StreamConnections.secretMatches(connection, secret)) {
            answer.resume(error(origin, 403, "bad_secret", "this is not the URL the client's welcome named"));
            return;
        }
        int max = settings.frameMaxBytes();
        long declared = declaredLength(length);
        // Charged before a byte is read: as declared (a length over the limit as the limit and one byte); without
        // a length (chunked) as a frame of no bytes yet, whose pieces are charged as they come.
        if (!inbox.admit(declared < 0 ? 0 : (int) Math.min(declared, max + 1L))) {
            answer.resume(rateLimited(origin));
            return;
        }
        if (declared > max) {
            answer.resume(tooLarge(origin, max));
            return;
        }
        ServletInputStream in = request.getInputStream();
        PostedFrame body = new PostedFrame(in, max, declared < 0 ? inbox::admitMore : ALREADY_CHARGED,
                outcome -> offTheCallersThread(origin, answer, () -> answer.resume(responseTo(outcome, inbox, origin))));
        AtomicBoolean extended = new AtomicBoolean();
        answer.setTimeoutHandler(late -> {
            if (body.expire()) {
                return; // answered 408 through the outcome
            }
            // The body arrived in time and its frame is being taken: once more the deadline, then a refusal.
            if (extended.compareAndSet(false, true)) {
                late.setTimeout(settings.postBodySeconds(), TimeUnit.SECONDS);
            } else {
                late.resume(busy(origin));
            }
        });
        answer.setTimeout(settings.postBodySeconds(), TimeUnit.SECONDS);
        in.setReadListener(body);
    }

    /**
     * Answers on the managed executor: the body's callbacks may come on the container's I/O thread, where
     * writing a response must not block, and taking a frame may wait for the cluster (a relay) or the store.
     */
    private void offTheCallersThread(String origin, AsyncResponse answer, Runnable answering) {
        try {
            executor.execute(() -> {
                try {
                    answering.run();
                } catch (RuntimeException e) {
                    answer.resume(e); // an error the container answers and logs, rather than no answer at all
                }
            });
        } catch (RejectedExecutionException full) {
            answer.resume(busy(origin));
        }
    }

    /** The answer to a post whose body has ended. */
    private Response responseTo(PostedFrame.Outcome outcome, Inbox inbox, String origin) {
        if (outcome instanceof PostedFrame.Read read) {
            return take(read.bytes(), inbox, origin);
        }
        if (outcome instanceof PostedFrame.Failed failed) {
            return error(origin, 400, "bad_body", "the body could not be read: " + failed.error().getClass().getSimpleName());
        }
        return switch ((PostedFrame.Refused) outcome) {
            case RATE_LIMITED -> rateLimited(origin);
            case TOO_LARGE -> tooLarge(origin, settings.frameMaxBytes());
            case TIMED_OUT -> Response.fromResponse(error(origin, 408, "body_timeout", "the body did not arrive within "
                    + settings.postBodySeconds() + " s (herald.limits.post-body-seconds)")).header("Connection", "close").build();
        };
    }

    /** A whole frame: decoded, parsed and handed to the client's inbox, as a WebSocket's text frame. */
    private Response take(byte[] bytes, Inbox inbox, String origin) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return error(origin, 400, "bad_json", "the frame is not UTF-8 text");
        }
        JsonObject frame;
        try {
            frame = Inbox.parse(text);
        } catch (Inbox.BadFrame bad) {
            return error(origin, 400, bad.code(), bad.getMessage());
        }
        inbox.dispatch(frame);
        return cors(origin, Response.noContent()).build();
    }

    private static long declaredLength(String length) {
        if (length == null || !length.matches("[0-9]{1,18}")) {
            return -1;
        }
        return Long.parseLong(length);
    }

    private static Response rateLimited(String origin) {
        return error(origin, 429, "rate_limited",
                "too many frames or bytes (herald.limits.messages-per-second, herald.limits.bytes-per-second)");
    }

    private static Response busy(String origin) {
        return error(origin, 503, "busy", "the server is too busy to take the frame now; post it again");
    }

    private static Response tooLarge(String origin, int max) {
        return error(origin, 413, "frame_too_large", "a frame is at most " + max + " bytes (herald.frame.max-bytes)");
    }

    /** The handshake filter has already refused a uid outside development mode, or a malformed one. */
    private String devModeUid(HttpServletRequest request) {
        String uid = request.getParameter("uid");
        return uid == null || !security.devMode() || !Names.validName(uid) ? null : uid;
    }

    private static Response error(String origin, int status, String code, String message) {
        return cors(origin, Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonCodec.object().add("status", status).add("code", code).add("message", message)
                        .build().toString())).build();
    }

    /** A page of another origin that may connect reads the answers to its posts: its origin, or null. */
    private String allowedOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        return origin != null && admission.originAllowed(request) ? origin : null;
    }

    private static Response.ResponseBuilder cors(String origin, Response.ResponseBuilder response) {
        if (origin != null) {
            response.header("Access-Control-Allow-Origin", origin);
        }
        return response.header("Vary", "Origin").header("Cache-Control", "no-store");
    }
}
