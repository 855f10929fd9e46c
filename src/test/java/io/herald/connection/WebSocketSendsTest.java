package io.herald.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.routing.Outbox;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** On Tyrus a send runs with a context class loader that finds no services; its completion with the sender's. */
class WebSocketSendsTest {

    private static final String SERVICES = "META-INF/services/jakarta.enterprise.concurrent.spi.ThreadContextProvider";

    /** A remote that records the context class loader of each send, then completes it on the same thread. */
    private static RemoteEndpoint.Async remote(List<ClassLoader> loadersAtSend, List<Boolean> servicesFound) {
        return (RemoteEndpoint.Async) Proxy.newProxyInstance(WebSocketSendsTest.class.getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendText") && args.length == 2) {
                        ClassLoader loader = Thread.currentThread().getContextClassLoader();
                        loadersAtSend.add(loader);
                        servicesFound.add(loader.getResources(SERVICES).hasMoreElements()
                                || loader.getResource("io/herald/connection/WebSocketSends.class") != null);
                        ((SendHandler) args[1]).onResult(new SendResult());
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void onTyrusTheSendFindsNothingAndTheCompletionRunsWithTheSendersLoader() throws Exception {
        List<ClassLoader> atSend = new ArrayList<>();
        List<Boolean> found = new ArrayList<>();
        Outbox.Sender sender = WebSocketSends.of(remote(atSend, found), true);
        ClassLoader application = new URLClassLoader(new URL[0], WebSocketSendsTest.class.getClassLoader());
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        AtomicReference<ClassLoader> atCompletion = new AtomicReference<>();
        AtomicReference<Throwable> outcome = new AtomicReference<>(new AssertionError("not completed"));
        thread.setContextClassLoader(application);
        try {
            sender.send("{}", failure -> {
                atCompletion.set(Thread.currentThread().getContextClassLoader());
                outcome.set(failure);
            });
            assertSame(application, thread.getContextClassLoader(), "the sender's loader is back after the send");
        } finally {
            thread.setContextClassLoader(before);
        }
        assertFalse(found.get(0), "the send's loader finds neither services nor the application's classes");
        assertTrue(atSend.get(0) != application);
        assertSame(application, atCompletion.get());
        assertNull(outcome.get());
    }

    @Test
    void elsewhereTheSendKeepsTheThreadsLoader() {
        List<ClassLoader> atSend = new ArrayList<>();
        List<Boolean> found = new ArrayList<>();
        Outbox.Sender sender = WebSocketSends.of(remote(atSend, found), false);
        AtomicReference<Throwable> outcome = new AtomicReference<>(new AssertionError("not completed"));
        sender.send("{}", outcome::set);
        assertEquals(List.of(Thread.currentThread().getContextClassLoader()), atSend);
        assertNull(outcome.get());
    }
}
