package io.herald.api;

import io.herald.core.HeraldException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Refusals from Herald's operations become JSON errors with their status and code. */
@Provider
public class HeraldExceptionMapper implements ExceptionMapper<HeraldException> {

    @Override
    public Response toResponse(HeraldException e) {
        return e instanceof BodyTooLarge tooLarge ? tooLarge.response() : Errors.response(e);
    }
}
