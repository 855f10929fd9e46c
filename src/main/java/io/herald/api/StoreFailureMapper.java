package io.herald.api;

import io.herald.background.FailureLog;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request that needed the database while it cannot be used (down, restarting, its pool exhausted) gets
 * {@code 503 store_unavailable}, like a durable push, instead of the runtime's 500 with the driver's
 * message in it. The failure is logged at most once a minute: an outage fails every such request.
 */
@Provider
public class StoreFailureMapper implements ExceptionMapper<PersistenceException> {

    private static final FailureLog FAILURES = new FailureLog(Logger.getLogger(StoreFailureMapper.class.getName()),
            Level.WARNING, "a REST request needing the database");

    @Override
    public Response toResponse(PersistenceException e) {
        FAILURES.failed(e, "it was answered 503 store_unavailable");
        return Errors.builder(503, "store_unavailable", "the database is unavailable; retry")
                .header("Retry-After", "1")
                .build();
    }
}
