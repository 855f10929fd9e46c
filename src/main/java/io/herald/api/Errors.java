package io.herald.api;

import io.herald.core.HeraldException;
import io.herald.core.JsonCodec;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The one shape of every API error: {@code {"status":…,"code":…,"message":…}}. */
final class Errors {

    private Errors() {
    }

    static Response response(int status, String code, String message) {
        return builder(status, code, message).build();
    }

    static Response.ResponseBuilder builder(int status, String code, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonCodec.object()
                        .add("status", status)
                        .add("code", code)
                        .add("message", message)
                        .build());
    }

    static Response response(HeraldException e) {
        return response(e.status(), e.code(), e.getMessage());
    }
}
