package io.herald.api;

import io.herald.health.HealthResource;
import io.herald.metrics.MetricsResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Map;
import java.util.Set;

/** The REST API for backends, under /api (PROTOCOL.md, "REST API"). */
@ApplicationPath("/api")
public class RestApplication extends Application {

    /**
     * Named rather than found by scanning: an application that names nothing takes every resource of the
     * WAR, and the event stream door (a JAX-RS application of its own) must not appear under /api too.
     * RestApplicationTest checks that every resource and provider outside that door is named here. Resources
     * that code in the same WAR adds come under an application of their own (see the tests' probes).
     */
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(
                ApiKeyFilter.class, BodyLimitFilter.class, HeraldExceptionMapper.class, StoreFailureMapper.class,
                WebExceptionMapper.class,
                ClientsResource.class, GroupsResource.class, MessagesResource.class, NodeResource.class,
                StatsResource.class, UidNamesResource.class, UidsResource.class,
                HealthResource.class, MetricsResource.class);
    }

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
