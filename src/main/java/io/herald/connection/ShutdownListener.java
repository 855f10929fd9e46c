package io.herald.connection;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Starts Herald's shutdown when the web application stops, if {@link HandshakeFilter#destroy()} has not
 * (a container destroys only filters it initialized). On WildFly this comes too late for the clients (its
 * WebSocket container's own listener has closed them with 1001); the acknowledgements are still stored.
 */
@WebListener
public class ShutdownListener implements ServletContextListener {

    @Inject
    Shutdown shutdown;

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        shutdown.closeAll();
    }
}
