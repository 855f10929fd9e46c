package io.herald.bench;

import io.herald.launch.PayaraProcess;
import io.herald.launch.Trees;
import io.herald.launch.WildFlyProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.herald.bench.Scenarios.log;

/**
 * Starts PostgreSQL, Herald on WildFly (and Payara Micro if asked), the reference peer, Herald clusters;
 * runs the scenarios against each with one generator; stops everything it started; writes BENCHMARKS.md.
 */
public final class Main {

    static final String API_KEY = "dev-key";
    /** Pushes/s of issue 15's REST latency target, also run on the channel: a rate that leaves the machine room. */
    static final double LOW_RATE = 2_000;

    /** One server setup measured: its label and figures. */
    static final class Run {
        final String key;
        final String label;
        final Results results = new Results();
        final List<String> notes = new ArrayList<>();
        Instant started;

        Run(String key, String label) {
            this.key = key;
            this.label = label;
        }

        double get(Step step, Measure measure) {
            return results.get(step, measure);
        }
    }

    private final Options opt;
    private final Path benchDir;
    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
    final Map<String, Run> runs = new LinkedHashMap<>();
    Servers.Postgres postgres;
    Path template;

    Main(Options opt) {
        this.opt = opt;
        this.benchDir = opt.project.resolve("benchmark/target/bench");
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        Main main = new Main(opt);
        Runtime.getRuntime().addShutdownHook(new Thread(main::stopAll, "bench-stop"));
        int status = 0;
        try {
            main.run();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        } finally {
            main.stopAll();
        }
        System.exit(status);
    }

    private synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping: " + e);
            }
        }
        started.clear();
    }

    <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    void stop(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("stopping: " + e);
        }
        started.remove(resource);
    }

    void run() throws Exception {
        Files.createDirectories(benchDir);
        Servers.Pids.file = benchDir.resolve("pids");
        Files.writeString(Servers.Pids.file, "");
        Machine machine = Machine.read();
        machine.readHerald(opt.project);
        machine.loadStart = Proc.loadAverage1();
        Instant start = Instant.now();
        log("machine: %s; load average %.2f", machine.summary(), machine.loadStart);

        boolean herald = !opt.servers.isEmpty() || !opt.cluster.isEmpty();
        if (herald) {
            postgres = track(new Servers.Postgres(benchDir.resolve("postgres")));
            log("PostgreSQL on port %d (pid %d)", postgres.port(), postgres.pid());
        }
        if (opt.soak) {
            new Soak(opt, this, benchDir).run(); // only the soak: benchmark/target/bench/soak.md
            stop(postgres);
            return;
        }
        if (opt.servers.contains("wildfly")) {
            measureWildFly();
            if (opt.floor) {
                measureFloorWildFly();
            }
        }
        if (opt.reference) {
            measureReference();
        }
        if (opt.servers.contains("payara")) {
            measurePayara();
            if (opt.floor) {
                measureFloorPayara();
            }
        }
        for (int nodes : opt.cluster) {
            measureCluster(nodes);
        }
        if (postgres != null) {
            stop(postgres);
        }
        machine.loadEnd = Proc.loadAverage1();
        Duration took = Duration.between(start, Instant.now());
        Report.write(opt, machine, runs, start, took);
        writeJson();
        log("done in %d min %d s; wrote %s", took.toMinutes(), took.toSecondsPart(), opt.output);
    }

    private void writeJson() throws Exception {
        StringBuilder json = new StringBuilder("{\n");
        int r = 0;
        for (Run run : runs.values()) {
            json.append(r++ > 0 ? ",\n" : "").append("  \"").append(run.key).append("\": ")
                    .append(run.results.json("    "));
        }
        json.append("\n}\n");
        Files.writeString(benchDir.resolve("results.json"), json);
    }

    // --------------------------------------------------------------------------------------------- servers

    private Path war() {
        return opt.project.resolve("target/herald.war");
    }

    private Path wildflyHome() throws Exception {
        try (var dirs = Files.list(opt.project.resolve("target"))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("wildfly-") && Files.isDirectory(p))
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "no WildFly in target/: build the project first (mvn -B -DskipTests package)"));
        }
    }

    private String javaOpts(String name) {
        return opt.heraldJvm + jfrFlag(name) + " -Djava.net.preferIPv4Stack=true"
                + " -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true";
    }

    /**
     * With --jfr the server records from its start (a recording started later makes the JVM retransform
     * JDK classes and deoptimise what inlined them, which skews the very figures it profiles); the
     * scenarios' windows go to jfr/windows.txt, and JfrTop summarises a window.
     */
    private String jfrFlag(String name) {
        if (!opt.jfr) {
            return "";
        }
        return " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + benchDir.resolve("jfr/" + name + ".jfr");
    }

    /** Herald's settings for every benchmark run (documented in benchmark/README.md). */
    static Map<String, String> heraldProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("herald.dev-mode", "true");
        p.put("herald.api.keys", API_KEY);
        // One generator on one address opens thousands of connections a second: the per-address handshake
        // limit (10/s) would refuse them. 0 switches it off.
        p.put("herald.limits.connections-per-address-per-second", "0");
        return p;
    }

    /** The --wildfly-cli scripts, for Herald's servers and the floor alike. */
    private List<Path> wildflyScripts() {
        return opt.wildflyCli.stream().map(opt.project::resolve).toList();
    }

    /** A WildFly base dir prepared once (postgresql.cli applied, Herald deployed as ROOT.war), copied for every server. */
    Servers.AppServer wildfly(String name, int offset, String dbUrl, Map<String, String> extra) throws Exception {
        Path home = wildflyHome();
        Path postgresqlJar = opt.project.resolve("benchmark/target/servers/postgresql.jar");
        if (template == null) {
            template = benchDir.resolve("wildfly-template");
            List<Path> scripts = new ArrayList<>(List.of(opt.project.resolve("server-config/wildfly/postgresql.cli")));
            scripts.addAll(wildflyScripts());
            log("preparing a WildFly base dir (%s)", scripts.stream().map(script -> opt.project.relativize(script).toString())
                    .collect(java.util.stream.Collectors.joining(", ")));
            WildFlyProcess.prepare(home, template, Map.of("postgresql.jar", postgresqlJar.toString()), scripts);
            new WildFlyProcess(home, template, 0).deploy(war(), "ROOT.war");
        }
        Path base = benchDir.resolve(name);
        Trees.delete(base);
        Trees.copy(template, base);
        for (String transient_ : List.of("data", "tmp", "log", "console.log", "cli.log")) {
            Trees.delete(base.resolve(transient_));
        }
        Map<String, String> env = Map.of("HERALD_DB_URL", dbUrl, "HERALD_DB_USER", "postgres",
                "HERALD_DB_PASSWORD", "postgres");
        Files.createDirectories(benchDir.resolve("jfr"));
        WildFlyProcess server = new WildFlyProcess(home, base, offset).environment(env).javaOpts(javaOpts(name))
                .with(heraldProperties()).with(extra);
        return new Servers.AppServer(server, server.httpPort(), API_KEY, base.toString());
    }

    private void measureWildFly() throws Exception {
        Run run = new Run("wildfly", "Herald (WildFly)");
        runs.put(run.key, run);
        String db = postgres.createDatabase("herald_wildfly");
        Servers.AppServer server = wildfly("wildfly", opt.portBase - 8080, db, Map.of());
        log("starting WildFly on port %d", server.httpPort());
        track(server).start(Duration.ofMinutes(5));
        run.notes.add("JVM: " + opt.heraldJvm);
        try {
            Target target = new Target(run.label, Target.Kind.HERALD, new int[] {server.httpPort()},
                    server.httpPort(), List.of(server.pid()), API_KEY);
            singleNode(run, target, db);
        } finally {
            stop(server);
        }
    }

    private void measurePayara() throws Exception {
        Run run = new Run("payara", "Herald (Payara Micro)");
        runs.put(run.key, run);
        Path jar = payaraJar();
        String db = postgres.createDatabase("herald_payara");
        int port = opt.portBase + 20;
        Files.createDirectories(benchDir.resolve("jfr"));
        List<String> jvm = new ArrayList<>(List.of((opt.heraldJvm + jfrFlag("payara")).trim().split("\\s+")));
        heraldProperties().forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        Map<String, String> env = Map.of("HERALD_DB_HOST", "127.0.0.1", "HERALD_DB_PORT", String.valueOf(postgres.port()),
                "HERALD_DB_NAME", "herald_payara", "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres");
        Path base = benchDir.resolve("payara");
        Trees.delete(base);
        Files.createDirectories(base);
        Path rootWar = Files.copy(war(), base.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        jvm.add("-Dbench.marker=" + base);
        PayaraProcess payara = new PayaraProcess(jar, rootWar, base, port, env,
                // Herald's documented Payara settings, as an operator applies them
                Files.readAllLines(opt.project.resolve("server-config/payara/herald.asadmin")), jvm,
                List.of("--addLibs", opt.project.resolve("benchmark/target/servers/postgresql.jar").toString(),
                        "--postbootcommandfile", opt.project.resolve("server-config/payara/postgresql.asadmin").toString()));
        Servers.AppServer server = new Servers.AppServer(payara, port, API_KEY, base.toString());
        log("starting Payara Micro on port %d (database %s)", port, db);
        track(server).start(Duration.ofMinutes(5));
        run.notes.add("JVM: " + opt.heraldJvm);
        try {
            Target target = new Target(run.label, Target.Kind.HERALD, new int[] {port}, port,
                    List.of(server.pid()), API_KEY);
            singleNode(run, target, db);
        } finally {
            stop(server);
        }
    }

    private Path floorWar() {
        return opt.project.resolve("benchmark/floor/target/floor.war");
    }

    /**
     * The container floor on WildFly: the floor WAR (benchmark/floor) as ROOT.war on the same WildFly, with
     * the same JVM options, so that Herald's figures read as ratios to what the server itself costs.
     */
    private void measureFloorWildFly() throws Exception {
        Run run = new Run("floor", "floor (WildFly)");
        runs.put(run.key, run);
        Path base = benchDir.resolve("floor-wildfly");
        WildFlyProcess.prepare(wildflyHome(), base, Map.of(), wildflyScripts());
        WildFlyProcess process = new WildFlyProcess(wildflyHome(), base, opt.portBase + 30 - 8080)
                .deploy(floorWar(), "ROOT.war").javaOpts(javaOpts("floor-wildfly"));
        Servers.AppServer server = new Servers.AppServer(process, process.httpPort(), null, base.toString());
        log("starting the floor on WildFly on port %d", server.httpPort());
        measureFloor(run, server);
    }

    /** The container floor on Payara Micro, with Herald's documented Payara settings as for Herald. */
    private void measureFloorPayara() throws Exception {
        Run run = new Run("floor-payara", "floor (Payara Micro)");
        runs.put(run.key, run);
        int port = opt.portBase + 40;
        Path base = benchDir.resolve("floor-payara");
        Trees.delete(base);
        Files.createDirectories(base);
        Path rootWar = Files.copy(floorWar(), base.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        List<String> jvm = new ArrayList<>(List.of(opt.heraldJvm.trim().split("\\s+")));
        jvm.add("-Dbench.marker=" + base);
        PayaraProcess payara = new PayaraProcess(payaraJar(), rootWar, base, port, Map.of(),
                Files.readAllLines(opt.project.resolve("server-config/payara/herald.asadmin")), jvm, List.of());
        Servers.AppServer server = new Servers.AppServer(payara, port, null, base.toString());
        log("starting the floor on Payara Micro on port %d", port);
        measureFloor(run, server);
    }

    private void measureFloor(Run run, Servers.AppServer server) throws Exception {
        if (!Files.exists(floorWar())) {
            throw new IllegalStateException("no " + floorWar() + ": run benchmark/run without --skip-build once");
        }
        track(server).start(Duration.ofMinutes(5));
        run.notes.add("JVM: " + opt.heraldJvm);
        try {
            Target target = new Target(run.label, Target.Kind.FLOOR, new int[] {server.httpPort()},
                    server.httpPort(), List.of(server.pid()), null);
            singleNode(run, target, null);
        } finally {
            stop(server);
        }
    }

    private Path payaraJar() {
        Path jar = opt.project.resolve("benchmark/target/servers/payara-micro.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar + ": run benchmark/run with --servers including payara");
        }
        return jar;
    }

    private void measureReference() throws Exception {
        Run run = new Run("reference", "reference (Node ws)");
        runs.put(run.key, run);
        int port = opt.portBase + 10;
        Servers.Reference server = new Servers.Reference(opt.project.resolve("benchmark/reference"),
                benchDir.resolve("reference/console.log"), port);
        log("starting the reference peer on port %d", port);
        track(server).start(Duration.ofMinutes(1));
        try {
            Target target = new Target(run.label, Target.Kind.REFERENCE, new int[] {port}, port,
                    List.of(server.pid()), null);
            singleNode(run, target, null);
        } finally {
            stop(server);
        }
    }

    /**
     * The single-server scenarios, in order, on one set of connections; the durable ones only with a
     * database ({@code db}: its JDBC URL, else null).
     */
    private void singleNode(Run run, Target target, String db) throws Exception {
        boolean durable = db != null;
        run.started = Instant.now();
        try (Fleet fleet = new Fleet(opt.connections, 4, 4)) {
            Scenarios s = new Scenarios(opt, target, fleet, postgres == null ? -1 : postgres.pid(), run.results);
            s.capacity(opt.runs("capacity"));
            Duration measured = Duration.ofSeconds(opt.durationSeconds);
            // The first scenario warms the request path up (JIT) for the longest; the later ones share most
            // of it and get a third.
            Duration warmup = Duration.ofSeconds(opt.warmupSeconds);
            if (opt.runs("unicast")) {
                s.unicast(Step.UNICAST, false, 1, null, warmup, false);
                warmup = Duration.ofSeconds(Math.max(1, opt.warmupSeconds / 3));
                jfrStart(target, "unicast");
                s.unicast(Step.UNICAST, false, 1, null, measured, true);
                jfrStop(target, "unicast");
                // Latency below saturation: the same pushes at half the rate just measured, open loop.
                double half = run.get(Step.UNICAST, Measure.RATE) / 2;
                if (half >= 10) {
                    s.unicast(Step.UNICAST_PACED, false, 1, null, measured, true, half);
                }
            }
            if (target.herald() && opt.runs("channel")) {
                // The backend channel from herald-client: the same pushes as frames on one WebSocket.
                s.unicast(Step.CHANNEL, false, 1, null, warmup, false, 0, true);
                jfrStart(target, "channel");
                s.unicast(Step.CHANNEL, false, 1, null, measured, true, 0, true);
                jfrStop(target, "channel");
                double half = run.get(Step.CHANNEL, Measure.RATE) / 2;
                if (half >= 10) {
                    s.unicast(Step.CHANNEL_PACED, false, 1, null, measured, true, half, true);
                }
                // The rate of the REST latency target: where the channel's latency is, with the machine not saturated.
                s.unicast(Step.CHANNEL_LOW, false, 1, null, measured, true, LOW_RATE, true);
                if (durable) {
                    s.unicast(Step.CHANNEL_DURABLE, true, 1, null, warmup, false, 0, true);
                    s.unicast(Step.CHANNEL_DURABLE, true, 1, null, measured, true, 0, true);
                }
            }
            if (opt.runs("batch")) {
                s.unicast(Step.BATCH, false, opt.batchBlock, null, warmup, false);
                s.unicast(Step.BATCH, false, opt.batchBlock, null, measured, true);
            }
            if (opt.runs("unicast-batch")) {
                s.distinctBatch(Step.UNICAST_BATCH, opt.batchBlock, false, warmup, false);
                jfrStart(target, "unicast-batch");
                s.distinctBatch(Step.UNICAST_BATCH, opt.batchBlock, false, measured, true);
                jfrStop(target, "unicast-batch");
            }
            if (durable && opt.runs("durable")) {
                s.unicast(Step.DURABLE, true, 1, null, warmup, false);
                jfrStart(target, "durable");
                s.unicast(Step.DURABLE, true, 1, null, measured, true);
                jfrStop(target, "durable");
            }
            if (durable && opt.runs("durable-batch")) {
                s.distinctBatch(Step.DURABLE_BATCH, opt.batchBlock, true, warmup, false);
                jfrStart(target, "durable-batch");
                s.distinctBatch(Step.DURABLE_BATCH, opt.batchBlock, true, measured, true);
                jfrStop(target, "durable-batch");
            }
            if (opt.runs("broadcast")) {
                jfrStart(target, "broadcast");
                s.broadcast(opt.broadcastSingles, opt.broadcastBurst);
                jfrStop(target, "broadcast");
            }
            if (durable && opt.runs("resume")) {
                jfrStart(target, "resume");
                s.resumeStorm(opt.resumeClients, opt.backlog, opt.resumeBlock);
                jfrStop(target, "resume");
            }
            GroupScenarios groups = new GroupScenarios(s, db);
            if (durable && opt.runs("groups")) {
                jfrStart(target, "groups");
                groups.fanOut(opt.groupMembers, opt.groupSends);
                jfrStop(target, "groups");
            }
            if (durable && opt.runs("group-storm")) {
                jfrStart(target, "group-storm");
                groups.storm(opt.stormGroups, opt.backlog);
                jfrStop(target, "group-storm");
            }
            s.finish();
            run.results.put(Step.FLEET, Measure.ERROR_FRAMES, (double) fleet.errorsFrames.get());
        }
    }

    private final Map<String, Instant> windows = new LinkedHashMap<>();

    private void jfrStart(Target target, String name) {
        windows.put(target.name + "/" + name, Instant.now());
    }

    private void jfrStop(Target target, String name) {
        if (!opt.jfr) {
            return;
        }
        Instant from = windows.get(target.name + "/" + name);
        try {
            Files.writeString(benchDir.resolve("jfr/windows.txt"), target.name + "\t" + name + "\t" + from + "\t"
                    + Instant.now() + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (Exception e) {
            log("cannot record the JFR window: %s", e);
        }
    }

    // --------------------------------------------------------------------------------------------- cluster

    private void measureCluster(int nodes) throws Exception {
        Run run = new Run("cluster" + nodes, "Herald cluster, " + nodes + " WildFly nodes");
        runs.put(run.key, run);
        String db = postgres.createDatabase("herald_cluster" + nodes);
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < nodes; i++) {
            members.append(i > 0 ? "," : "").append("127.0.0.1:").append(opt.clusterPortBase + i);
        }
        List<Servers.AppServer> servers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Servers.AppServer server = wildfly("cluster" + nodes + "-node" + (i + 1), opt.portBase - 8080 + 100 * (i + 1), db,
                    Map.of("herald.cluster.enabled", "true",
                            "herald.cluster.name", "herald-bench",
                            "herald.cluster.members", members.toString(),
                            "herald.cluster.port", String.valueOf(opt.clusterPortBase + i),
                            "herald.cluster.interface", "127.0.0.1"));
            servers.add(track(server));
        }
        log("starting %d WildFly nodes (Hazelcast ports %s)", nodes, members);
        ExecutorService starting = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Servers.AppServer server : servers) {
                futures.add(starting.submit(() -> {
                    server.start(Duration.ofMinutes(6));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            starting.shutdown();
        }
        try {
            int[] ports = servers.stream().mapToInt(Servers.AppServer::httpPort).toArray();
            List<Long> pids = servers.stream().map(Servers.AppServer::pid).toList();
            Target target = new Target(run.label, Target.Kind.HERALD, ports, ports[0], pids, API_KEY);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            int seen = 0;
            while (System.nanoTime() < deadline) {
                try (Http http = target.http()) {
                    seen = (int) Fleet.number(http.get("/api/stats").body(), "\"nodes\":", 0);
                }
                if (seen >= nodes) {
                    break;
                }
                Thread.sleep(500);
            }
            log("cluster formed: %d nodes", seen);
            run.results.put(Step.CLUSTER, Measure.NODES, (double) seen);
            run.started = Instant.now();
            try (Fleet fleet = new Fleet(opt.clusterConnections, 4, 4)) {
                Scenarios s = new Scenarios(opt, target, fleet, postgres.pid(), run.results);
                s.capacity(false);
                int[] remote = Scenarios.where(s.connected(), i -> target.nodeOf(i) != 0 ? 1 : 0);
                Duration measured = Duration.ofSeconds(opt.clusterDurationSeconds);
                Duration warmup = Duration.ofSeconds(opt.warmupSeconds);
                if (opt.runs("unicast")) {
                    s.unicast(Step.CROSS_UNICAST, false, 1, remote, warmup, false);
                    warmup = Duration.ofSeconds(Math.max(1, opt.warmupSeconds / 3));
                    s.unicast(Step.CROSS_UNICAST, false, 1, remote, measured, true);
                }
                if (opt.runs("durable")) {
                    s.unicast(Step.CROSS_DURABLE, true, 1, remote, warmup, false);
                    s.unicast(Step.CROSS_DURABLE, true, 1, remote, measured, true);
                }
                if (opt.runs("broadcast")) {
                    s.broadcast(opt.broadcastSingles, opt.broadcastBurst);
                }
                s.finish();
            }
        } finally {
            for (Servers.AppServer server : servers) {
                stop(server);
            }
        }
    }
}
