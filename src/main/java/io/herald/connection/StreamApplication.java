package io.herald.connection;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Map;
import java.util.Set;

/**
 * The event stream door, {@code /sse}: a JAX-RS application of its own, apart from the REST API's key
 * checks. It names its one resource, so that it takes none of the API's (and RestApplication names its
 * own, so that it does not take this one).
 */
@ApplicationPath("/sse")
public class StreamApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(EventStream.class);
    }

    /** As for the REST API (see RestApplication): nothing here declares a Bean Validation constraint. */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.beanValidation.disable.server", true);
    }
}
