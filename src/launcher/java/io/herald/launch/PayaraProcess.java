package io.herald.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Payara Micro run as a child process (the JVM itself, so a kill is a SIGKILL to the server), bound to
 * 127.0.0.1 with its own HTTP port, its data grid off, and boot commands written into its directory. Each
 * start gets a fresh runtime directory (Payara Micro's default), so the boot commands apply to a clean
 * domain every time.
 */
public final class PayaraProcess extends ServerProcess {

    /** Loopback listeners and no Hazelcast of Payara's own: every start of every run needs these. */
    private static final List<String> LOOPBACK = List.of(
            "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1",
            "set configs.config.server-config.network-config.network-listeners.network-listener.https-listener.address=127.0.0.1",
            "set configs.config.server-config.hazelcast-config-specific-configuration.enabled=false");

    private final Path jar;
    private final Path war;
    private final Path root;
    private final int port;
    private final Map<String, String> environment;
    private final List<String> jvmOptions;
    private final List<String> options;

    /**
     * @param prebootCommands asadmin commands run before boot, after the loopback ones
     * @param jvmOptions options of the server's JVM (heap, {@code -Dherald.*} settings)
     * @param options extra Payara Micro options, e.g. {@code --addLibs}, {@code --postbootcommandfile}
     */
    public PayaraProcess(Path jar, Path war, Path root, int port, Map<String, String> environment,
                         List<String> prebootCommands, List<String> jvmOptions, List<String> options) throws IOException {
        this.jar = jar;
        this.war = war;
        this.root = root;
        this.port = port;
        this.environment = environment;
        this.jvmOptions = jvmOptions;
        this.options = options;
        Files.createDirectories(root);
        List<String> preboot = new ArrayList<>(LOOPBACK);
        preboot.addAll(prebootCommands);
        Files.writeString(root.resolve("preboot.asadmin"), String.join("\n", preboot) + "\n");
    }

    public int httpPort() {
        return port;
    }

    @Override
    public Path log() {
        return root.resolve("console.log");
    }

    @Override
    public long jvmPid() {
        return processPid();
    }

    @Override
    public void launch() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--deploy", war.toString(),
                "--port", String.valueOf(port), "--nocluster", "--nohazelcast", "--disablephonehome",
                "--interfaces", "127.0.0.1", "--prebootcommandfile", root.resolve("preboot.asadmin").toString()));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    @Override
    protected String name() {
        return "Payara Micro";
    }
}
