package io.herald.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Map;

/** The REST API for backends, under /api (PROTOCOL.md, "REST API"). */
@ApplicationPath("/api")
public class RestApplication extends Application {

    /**
     * No resource declares a Bean Validation constraint (bodies are checked by {@link Bodies}), yet a
     * runtime with validation on checks every resource method's parameters on every request. Jersey (Payara)
     * reads this property; on WildFly, WEB-INF/jboss-deployment-structure.xml leaves RESTEasy's validator out.
     */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.beanValidation.disable.server", true);
    }
}
