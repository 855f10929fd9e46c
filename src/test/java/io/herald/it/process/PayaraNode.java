package io.herald.it.process;

import io.herald.launch.PayaraProcess;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Payara Micro server with Herald deployed under {@code /herald}, run as a child process of the test, in
 * development mode with the key {@code test-key} (see {@link PayaraProcess}, which the benchmark uses too).
 */
final class PayaraNode implements AppServer {

    private final PayaraProcess server;
    private final int port;

    /**
     * @param options extra Payara Micro options, e.g. {@code --addLibs}, {@code --postbootcommandfile}
     */
    PayaraNode(Path root, int port, Map<String, String> environment, List<String> options) throws IOException {
        this(root, port, environment, List.of(), options);
    }

    /**
     * @param jvmOptions extra options of the server's JVM, e.g. {@code -Djavax.net.ssl.keyStore=…}
     */
    PayaraNode(Path root, int port, Map<String, String> environment, List<String> jvmOptions, List<String> options)
            throws IOException {
        this.port = port;
        List<String> jvm = new ArrayList<>(List.of("-Xms128m", "-Xmx768m", "-Dherald.dev-mode=true",
                "-Dherald.api.keys=test-key"));
        jvm.addAll(jvmOptions);
        this.server = new PayaraProcess(Path.of(System.getProperty("payara.micro.jar")),
                Path.of(System.getProperty("herald.war")), root, port, environment,
                List.of("set configs.config.server-config.network-config.protocols.protocol.http-listener.http.allow-payload-for-undefined-http-methods=true"),
                jvm, options);
    }

    @Override
    public void start(Duration timeout) throws Exception {
        URL url = url();
        server.start(timeout, () -> AppServer.answers(url));
    }

    @Override
    public void kill() throws InterruptedException {
        server.kill();
    }

    @Override
    public boolean stop(Duration timeout) throws InterruptedException {
        return server.stop(timeout);
    }

    @Override
    public URL url() throws IOException {
        return URI.create("http://127.0.0.1:" + port + "/herald/").toURL();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
