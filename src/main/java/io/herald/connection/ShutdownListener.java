package io.herald.connection;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Starts Herald's shutdown when the web application stops. Listeners declared by the application are told
 * before those the server added for its WebSocket container, so the clients can still be sent 1001.
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
