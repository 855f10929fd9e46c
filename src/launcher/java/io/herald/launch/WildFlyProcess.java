package io.herald.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * WildFly run from an unpacked distribution with a private base directory (configuration, deployments,
 * data, log) and its own port offset, bound to 127.0.0.1. Unlike a managed Arquillian container it can be
 * killed with SIGKILL and started again on the same data.
 */
public final class WildFlyProcess extends ServerProcess {

    private final Path home;
    private final Path base;
    private final int portOffset;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private String javaOpts = "-Xms128m -Xmx768m";
    private long jvmPid = -1;

    /** A server on a base directory that {@link #prepare} (or a copy of one) made. */
    public WildFlyProcess(Path home, Path base, int portOffset) {
        this.home = home;
        this.base = base;
        this.portOffset = portOffset;
    }

    /**
     * Makes a fresh base directory from the server's own {@code standalone/} and runs the given offline CLI
     * scripts against it, each with the {@code -Dname=value} properties given.
     */
    public static void prepare(Path home, Path base, Map<String, String> cliProperties, List<Path> cliScripts)
            throws Exception {
        Trees.delete(base);
        Trees.copy(home.resolve("standalone"), base);
        Path log = base.resolve("cli.log");
        for (Path script : cliScripts) {
            List<String> command = new ArrayList<>(List.of(home.resolve("bin/jboss-cli.sh").toString(),
                    "--file=" + script));
            cliProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
            ProcessBuilder cli = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            cli.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + base);
            Process run = cli.start();
            if (!run.waitFor(180, TimeUnit.SECONDS) || run.exitValue() != 0) {
                run.destroyForcibly();
                throw new IllegalStateException("CLI script " + script + " failed: " + Files.readString(log));
            }
        }
    }

    /** Copies a WAR into the base directory's deployments under the given name, e.g. {@code ROOT.war}. */
    public WildFlyProcess deploy(Path war, String deploymentName) throws Exception {
        Files.copy(war, base.resolve("deployments").resolve(deploymentName), StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    public WildFlyProcess environment(Map<String, String> variables) {
        environment.putAll(variables);
        return this;
    }

    /** The JVM's options ({@code JAVA_OPTS}); the default is a 768 MiB heap. */
    public WildFlyProcess javaOpts(String options) {
        javaOpts = options;
        return this;
    }

    /** System properties for the server (e.g. Herald's settings), applied at the next start. */
    public WildFlyProcess with(Map<String, String> systemProperties) {
        properties.putAll(systemProperties);
        return this;
    }

    /** Removes a system property {@link #with} added, before the next start. */
    public WildFlyProcess without(String name) {
        properties.remove(name);
        return this;
    }

    public String property(String name) {
        return properties.get(name);
    }

    public int httpPort() {
        return 8080 + portOffset;
    }

    public Path base() {
        return base;
    }

    @Override
    public Path log() {
        return base.resolve("console.log");
    }

    @Override
    public long jvmPid() {
        return jvmPid;
    }

    /** Starts {@code standalone.sh} and waits (up to a minute) until the server's JVM is known. */
    @Override
    public void launch() throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.bind.address=127.0.0.1",
                "-Djboss.bind.address.management=127.0.0.1"));
        properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(environment);
        // The script then forwards SIGTERM to the JVM and exits when the JVM does.
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
        builder.environment().put("JAVA_OPTS", javaOpts);
        process = builder.start();
        jvmPid = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (jvmPid < 0 && System.nanoTime() < deadline && process.isAlive()) {
            jvmPid = process.descendants()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("jboss-modules.jar")).orElse(false))
                    .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
            if (jvmPid < 0) {
                Thread.sleep(100);
            }
        }
        if (jvmPid < 0) {
            throw new IllegalStateException("WildFly's JVM did not start; see " + log());
        }
    }

    @Override
    protected String name() {
        return "WildFly";
    }
}
