package io.herald.api;

import io.herald.core.HeraldException;
import jakarta.ws.rs.core.Response;

/**
 * 413 body_too_large: the body is over {@code herald.api.max-body-bytes}. The answer closes the connection,
 * because the rest of the body stays unread: to keep the connection a server would read and discard all of
 * it, however large (HTTP/2 servers drop the header and reset the stream instead).
 */
final class BodyTooLarge extends HeraldException {

    BodyTooLarge(long limit) {
        super(413, "body_too_large", "the body exceeds " + limit + " bytes (herald.api.max-body-bytes)");
    }

    Response response() {
        return Errors.builder(status(), code(), getMessage())
                .header("Connection", "close")
                .build();
    }
}
