package io.herald.api;

import io.herald.gateway.JsonCodec;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The answer to an accepted send: {@code 202 {"id": …}}. */
final class Accepted {

    private Accepted() {
    }

    static Response message(String id) {
        return Response.accepted(JsonCodec.object().add("id", id).build())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }
}
