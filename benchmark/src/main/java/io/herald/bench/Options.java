package io.herald.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of the benchmark (see benchmark/README.md). */
final class Options {

    Path project;
    boolean quick;
    int connections = 10_000;
    int durationSeconds = 20;
    int warmupSeconds = 30;
    int pushers = 32;
    /** Requests in flight on the backend channel scenarios' one connection. */
    int channelWindow = 512;
    int batchBlock = 100;
    int broadcastSingles = 5;
    int broadcastBurst = 100;
    int resumeClients = 10_000;
    int backlog = 100;
    int resumeBlock = 500;
    /** The group scenarios: members of the fan-out group, its sends, and the storm's groups. */
    int groupMembers = 1000;
    int groupSends = 500;
    int stormGroups = 10;
    int connectInFlight = 500;
    int stormInFlight = 10_000;
    int connectTimeoutSeconds = 300;
    int stormTimeoutSeconds = 300;
    int backlogTimeoutSeconds = 600;
    int drainIdleSeconds = 10;
    int clusterConnections = -1;
    int clusterDurationSeconds = -1;
    Set<String> servers = new LinkedHashSet<>(List.of("wildfly"));
    boolean reference = true;
    /** The container floor (benchmark/floor) on each server measured, in the same run. */
    boolean floor = true;
    List<Integer> cluster = new ArrayList<>(List.of(2, 3));
    Set<String> scenarios = new LinkedHashSet<>(List.of("capacity", "unicast", "channel", "batch", "unicast-batch", "durable",
            "durable-batch", "broadcast", "resume", "groups", "group-storm"));
    int portBase = 18080;
    int clusterPortBase = 5801;
    String heraldJvm = "-Xms256m -Xmx1g";
    /** CLI scripts (relative to the project) applied to every WildFly base dir, Herald's and the floor's alike. */
    List<Path> wildflyCli = new java.util.ArrayList<>();
    boolean jfr;
    /** The soak instead of the scenarios (Soak; README "Soak"): minutes, and rates per second. */
    boolean soak;
    int soakMinutes = 30;
    int soakEphemeral = 1000, soakDurable = 500, soakOffline = 5, soakGroupSends = 10, soakChurn = 5, soakVisitors = 2, soakJoins = 10;
    Path output;
    String command = "bash benchmark/run";

    static Options parse(String[] args) {
        Options o = new Options();
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            String v = i + 1 < rest.size() ? rest.get(i + 1) : null;
            switch (a) {
                case "--project" -> { o.project = Path.of(v); i++; }
                case "--quick" -> o.quick = true;
                case "--connections" -> { o.connections = Integer.parseInt(v); i++; }
                case "--duration" -> { o.durationSeconds = Integer.parseInt(v); i++; }
                case "--warmup" -> { o.warmupSeconds = Integer.parseInt(v); i++; }
                case "--pushers" -> { o.pushers = Integer.parseInt(v); i++; }
                case "--channel-window" -> { o.channelWindow = Integer.parseInt(v); i++; }
                case "--batch" -> { o.batchBlock = Integer.parseInt(v); i++; }
                case "--burst" -> { o.broadcastBurst = Integer.parseInt(v); i++; }
                case "--resume-clients" -> { o.resumeClients = Integer.parseInt(v); i++; }
                case "--backlog" -> { o.backlog = Integer.parseInt(v); i++; }
                case "--group-members" -> { o.groupMembers = Integer.parseInt(v); i++; }
                case "--group-sends" -> { o.groupSends = Integer.parseInt(v); i++; }
                case "--storm-groups" -> { o.stormGroups = Integer.parseInt(v); i++; }
                case "--servers" -> { o.servers = new LinkedHashSet<>(List.of(v.split(","))); i++; }
                case "--no-reference" -> o.reference = false;
                case "--no-floor" -> o.floor = false;
                case "--cluster" -> {
                    o.cluster = new ArrayList<>();
                    if (!v.equals("none")) {
                        for (String s : v.split(",")) {
                            o.cluster.add(Integer.parseInt(s));
                        }
                    }
                    i++;
                }
                case "--scenarios" -> { o.scenarios = new LinkedHashSet<>(List.of(v.split(","))); i++; }
                case "--port-base" -> { o.portBase = Integer.parseInt(v); i++; }
                case "--cluster-port-base" -> { o.clusterPortBase = Integer.parseInt(v); i++; }
                case "--herald-jvm" -> { o.heraldJvm = v; i++; }
                case "--wildfly-cli" -> { o.wildflyCli.add(Path.of(v)); i++; }
                case "--jfr" -> o.jfr = true;
                case "--soak" -> o.soak = true;
                case "--soak-minutes" -> { o.soakMinutes = Integer.parseInt(v); i++; }
                case "--soak-rates" -> { o.soakRates(v); i++; }
                case "--output" -> { o.output = Path.of(v); i++; }
                case "--command" -> { o.command = v; i++; }
                default -> throw new IllegalArgumentException("unknown option " + a + " (see benchmark/README.md)");
            }
        }
        if (o.project == null) {
            throw new IllegalArgumentException("--project is required");
        }
        if (o.quick) {
            // A smoke run: small and short, for development and busy machines. Labelled as such in the report.
            if (!rest.contains("--connections")) {
                o.connections = 500;
            }
            if (!rest.contains("--duration")) {
                o.durationSeconds = 5;
            }
            if (!rest.contains("--warmup")) {
                o.warmupSeconds = 15;
            }
            if (!rest.contains("--burst")) {
                o.broadcastBurst = 20;
            }
            o.broadcastSingles = 3;
            if (!rest.contains("--group-sends")) {
                o.groupSends = 50;
            }
            if (!rest.contains("--resume-clients")) {
                o.resumeClients = o.connections;
            }
        }
        o.resumeClients = Math.min(o.resumeClients, o.connections);
        o.resumeBlock = Math.min(o.resumeBlock, Math.max(1, o.resumeClients));
        if (o.soak && !rest.contains("--connections")) {
            o.connections = 2000;
        }
        if (o.clusterConnections < 0) {
            o.clusterConnections = o.connections;
        }
        if (o.clusterDurationSeconds < 0) {
            o.clusterDurationSeconds = o.durationSeconds;
        }
        if (o.output == null) {
            o.output = o.project.resolve("BENCHMARKS.md");
        }
        return o;
    }

    /** --soak-rates ephemeral,durable,groupSends,churn,visitors,joins: per second. */
    private void soakRates(String v) {
        int[] r = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        soakEphemeral = r[0]; soakDurable = r[1]; soakGroupSends = r[2]; soakChurn = r[3]; soakVisitors = r[4]; soakJoins = r[5];
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }
}
