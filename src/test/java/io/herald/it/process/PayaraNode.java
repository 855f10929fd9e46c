package io.herald.it.process;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro server run as a child process of the test (the JVM itself, so a kill is a SIGKILL to the
 * server), with its own HTTP port and boot command files. Each start gets a fresh runtime directory
 * (Payara Micro's default), so the boot commands apply to a clean domain every time.
 */
final class PayaraNode implements AppServer {

    private final Path root;
    private final int port;
    private final Map<String, String> environment;
    private final List<String> options;
    private Process process;

    /**
     * @param options extra Payara Micro options, e.g. {@code --addLibs}, {@code --postbootcommandfile}
     */
    PayaraNode(Path root, int port, Map<String, String> environment, List<String> options) throws IOException {
        this.root = root;
        this.port = port;
        this.environment = environment;
        this.options = options;
        Files.createDirectories(root);
        Files.writeString(root.resolve("preboot.asadmin"), String.join("\n",
                "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1",
                "set configs.config.server-config.network-config.network-listeners.network-listener.https-listener.address=127.0.0.1",
                "set configs.config.server-config.hazelcast-config-specific-configuration.enabled=false",
                "set configs.config.server-config.network-config.protocols.protocol.http-listener.http.allow-payload-for-undefined-http-methods=true",
                ""));
    }

    @Override
    public void start(Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx768m",
                "-Dherald.dev-mode=true", "-Dherald.api.keys=test-key",
                "-jar", System.getProperty("payara.micro.jar"),
                "--deploy", System.getProperty("herald.war"),
                "--port", String.valueOf(port), "--nocluster", "--nohazelcast", "--disablephonehome",
                "--interfaces", "127.0.0.1",
                "--prebootcommandfile", root.resolve("preboot.asadmin").toString()));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("console.log").toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited with " + process.exitValue() + "; see "
                        + root.resolve("console.log"));
            }
            if (AppServer.answers(url())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Payara Micro did not deploy Herald within " + timeout + "; see "
                + root.resolve("console.log"));
    }

    @Override
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public boolean stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public URL url() throws IOException {
        return URI.create("http://127.0.0.1:" + port + "/herald/").toURL();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
