package io.herald.it.process;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** An application server with Herald deployed, run as a child process so a test can kill it. */
interface AppServer extends AutoCloseable {

    /** Starts the server and waits until Herald answers on its REST API. */
    void start(Duration timeout) throws Exception;

    /** SIGKILL: no chance to flush or shut down. */
    void kill() throws InterruptedException;

    /**
     * SIGTERM to the server, as an init system stops it, and waits until it has exited; false if it was
     * still running after the timeout (then it is still running).
     */
    boolean stop(Duration timeout) throws InterruptedException;

    /** Herald's base URL, e.g. http://127.0.0.1:8380/herald/ */
    URL url() throws IOException;

    @Override
    void close() throws Exception;

    /** Whether Herald at this base URL answers its REST API (with the test key). */
    static boolean answers(URL herald) {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(herald.toURI().resolve("api/stats"))
                                    .header("Authorization", "Bearer test-key").timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException | URISyntaxException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
