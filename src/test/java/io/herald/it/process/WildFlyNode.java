package io.herald.it.process;

import io.herald.launch.WildFlyProcess;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A WildFly server with Herald deployed as {@code herald.war}, run as a child process of the test from the
 * WildFly the build unpacked, in development mode with the key {@code test-key} (see
 * {@link WildFlyProcess}, which the benchmark uses too).
 */
final class WildFlyNode implements AppServer {

    private final WildFlyProcess server;

    private WildFlyNode(WildFlyProcess server) {
        this.server = server;
    }

    /**
     * Prepares a base directory from the server's own {@code standalone/}, runs the given offline CLI
     * scripts against it (with {@code -Dname=value} properties), and deploys the WAR as {@code herald.war}.
     */
    static WildFlyNode prepare(Path base, int portOffset, Map<String, String> environment,
                               Map<String, String> cliProperties, Path... cliScripts) throws Exception {
        Path home = Path.of(System.getProperty("wildfly.home"));
        WildFlyProcess.prepare(home, base, cliProperties, Arrays.asList(cliScripts));
        WildFlyProcess server = new WildFlyProcess(home, base, portOffset)
                .deploy(Path.of(System.getProperty("herald.war")), "herald.war")
                .environment(environment)
                .javaOpts("-Xms128m -Xmx768m -Djava.net.preferIPv4Stack=true"
                        + " -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true")
                .with(Map.of("herald.dev-mode", "true", "herald.api.keys", "test-key"));
        return new WildFlyNode(server);
    }

    /** Adds system properties for the server (e.g. Herald configuration), before {@link #start}. */
    WildFlyNode with(Map<String, String> systemProperties) {
        server.with(systemProperties);
        return this;
    }

    /** Removes a system property {@link #with} added, before the next {@link #start}. */
    WildFlyNode without(String name) {
        server.without(name);
        return this;
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

    int httpPort() {
        return server.httpPort();
    }

    @Override
    public URL url() throws IOException {
        return URI.create("http://127.0.0.1:" + httpPort() + "/herald/").toURL();
    }

    Path log() {
        return server.log();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
