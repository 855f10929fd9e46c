package io.herald.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Locale;

/**
 * The runtime's own refusals (unknown path 404, wrong method 405, unsupported media type 415) in the same
 * JSON shape as Herald's errors, so that clients parse one format.
 */
@Provider
public class WebExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        Response.StatusType type = original.getStatusInfo();
        String code = type.getReasonPhrase() == null ? "error"
                : type.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '_');
        Response.ResponseBuilder response = Errors.builder(status, code,
                e.getMessage() == null ? code : e.getMessage());
        // Keep headers such as Allow (405) that tell the client what would have worked.
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> response.header(name, value));
            }
        });
        return response.build();
    }
}
