package io.herald.it.process;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A WildFly server run as a child process of the test, from the WildFly the build unpacked, with a private
 * base directory (configuration, deployments, data, log) and its own port offset. Unlike a managed
 * Arquillian container it can be killed with SIGKILL and started again on the same data.
 */
final class WildFlyNode implements AppServer {

    private final Path home;
    private final Path base;
    private final int portOffset;
    private final Map<String, String> environment;
    private final Map<String, String> properties = new java.util.LinkedHashMap<>();
    private Process process;

    private WildFlyNode(Path home, Path base, int portOffset, Map<String, String> environment) {
        this.home = home;
        this.base = base;
        this.portOffset = portOffset;
        this.environment = environment;
    }

    /**
     * Prepares a base directory from the server's own {@code standalone/}, runs the given offline CLI
     * scripts against it (with {@code -Dname=value} properties), and deploys the WAR as {@code herald.war}.
     */
    static WildFlyNode prepare(Path base, int portOffset, Map<String, String> environment,
                               Map<String, String> cliProperties, Path... cliScripts) throws Exception {
        Path home = Path.of(System.getProperty("wildfly.home"));
        deleteTree(base);
        copyTree(home.resolve("standalone"), base);
        for (Path script : cliScripts) {
            List<String> command = new ArrayList<>(List.of(home.resolve("bin/jboss-cli.sh").toString(),
                    "--file=" + script));
            cliProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
            ProcessBuilder cli = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(base.resolve("cli.log").toFile());
            cli.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + base);
            Process run = cli.start();
            if (!run.waitFor(120, TimeUnit.SECONDS) || run.exitValue() != 0) {
                run.destroyForcibly();
                throw new IllegalStateException("CLI script " + script + " failed: " + Files.readString(base.resolve("cli.log")));
            }
        }
        Files.copy(Path.of(System.getProperty("herald.war")), base.resolve("deployments/herald.war"),
                StandardCopyOption.REPLACE_EXISTING);
        return new WildFlyNode(home, base, portOffset, environment);
    }

    /** Adds system properties for the server (e.g. Herald configuration), before {@link #start}. */
    WildFlyNode with(Map<String, String> systemProperties) {
        properties.putAll(systemProperties);
        return this;
    }

    /** Removes a system property {@link #with} added, before the next {@link #start}. */
    WildFlyNode without(String name) {
        properties.remove(name);
        return this;
    }

    @Override
    public void start(Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.bind.address=127.0.0.1",
                "-Djboss.bind.address.management=127.0.0.1",
                "-Dherald.dev-mode=true",
                "-Dherald.api.keys=test-key"));
        properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("console.log").toFile()));
        builder.environment().putAll(environment);
        // The script forwards SIGTERM to the JVM and exits when the JVM does.
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
        builder.environment().put("JAVA_OPTS", "-Xms128m -Xmx768m -Djava.net.preferIPv4Stack=true"
                + " -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true");
        process = builder.start();

        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("WildFly exited with " + process.exitValue() + "; see " + base.resolve("console.log"));
            }
            if (AppServer.answers(url())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("WildFly did not deploy Herald within " + timeout + "; see " + base.resolve("console.log"));
    }

    /** SIGKILL to the server's JVM (and the script that started it): no chance to flush or shut down. */
    @Override
    public void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM to the script, which forwards it to the server's JVM (LAUNCH_JBOSS_IN_BACKGROUND). */
    @Override
    public boolean stop(Duration timeout) throws InterruptedException {
        List<ProcessHandle> jvms = process.descendants().toList();
        process.destroy();
        // The script exits when the JVM does.
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                && jvms.stream().noneMatch(ProcessHandle::isAlive);
    }

    int httpPort() {
        return 8080 + portOffset;
    }

    @Override
    public URL url() throws IOException {
        return URI.create("http://127.0.0.1:" + httpPort() + "/herald/").toURL();
    }

    Path log() {
        return base.resolve("console.log");
    }

    /** Stops the server (SIGTERM, then SIGKILL if it does not stop in time). */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
