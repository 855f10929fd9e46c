package io.herald.bench;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One reading of the soak's server: the live heap after a forced full GC (by class) and RSS of its JVM, its CPU since the last
 * reading, every {@code herald_*} gauge of {@code GET /api/metrics} (and the webhook counters), and the row
 * count of each of Herald's tables with the database's size, read over JDBC from the benchmark's PostgreSQL.
 */
final class SoakSampler {

    /** Herald's tables (src/main/resources/db/migration). */
    static final List<String> TABLES = List.of("herald_stream", "herald_message", "herald_push",
            "herald_webhook_event", "herald_webhook_online", "herald_webhook_reported", "herald_webhook_scan");
    /** Counters read along with the gauges: a webhook failure, death or drop is a finding. */
    static final List<String> COUNTERS = List.of("herald_webhook_deliveries_total", "herald_webhook_failed_attempts_total",
            "herald_webhook_dead_total", "herald_webhook_dropped_total", "herald_send_failures_total",
            "herald_slow_consumer_closes_total", "herald_heartbeat_closes_total");

    private final Target target;
    private final long pid;
    private final String jdbcUrl;
    /** The gauges Herald exports, in the order first seen (listed in the report). */
    final Set<String> gauges = new LinkedHashSet<>();
    /** The live objects by class of the last reading: class -> {instances, bytes}. */
    Map<String, long[]> lastHistogram = Map.of();
    private long lastCpu = -1;
    private long lastNanos;

    SoakSampler(Target target, String jdbcUrl) {
        this.target = target;
        this.pid = target.pids.get(0);
        this.jdbcUrl = jdbcUrl;
    }

    /** A reading: name -> value (NaN where unknown). */
    Map<String, Double> sample() throws InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        long cpu = Proc.cpuTicks(pid);
        long now = System.nanoTime();
        out.put("cpu", lastCpu < 0 ? Double.NaN : (cpu - lastCpu) * 1e9 / Proc.HZ / (now - lastNanos));
        lastCpu = cpu;
        lastNanos = now;
        // The class histogram runs a full GC and counts only live objects: the heap after GC, exactly. (GC.run
        // then GC.heap_info also counts what the load allocated in between: tens of MiB at these rates.)
        Map<String, long[]> classes = Proc.histogram(pid);
        long live = classes.values().stream().mapToLong(c -> c[1]).sum();
        out.put("heap", classes.isEmpty() ? Double.NaN : live / 1048576.0);
        lastHistogram = classes;
        out.put("rss", Proc.rssBytes(pid) / 1048576.0);
        metrics(out);
        rows(out);
        return out;
    }

    private void metrics(Map<String, Double> out) {
        String body;
        try (Http http = target.http()) {
            body = http.get("/api/metrics").body();
        } catch (IOException e) {
            return;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ") && line.endsWith(" gauge")) {
                seen.add(line.substring(7, line.length() - 6).trim());
            } else if (line.startsWith("herald_")) {
                int space = line.lastIndexOf(' ');
                int brace = line.indexOf('{');
                String name = line.substring(0, brace > 0 && brace < space ? brace : space);
                try {
                    values.merge(name, Double.parseDouble(line.substring(space + 1).trim()), Double::sum);
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        gauges.addAll(seen);
        for (String g : seen) {
            out.put(g, values.getOrDefault(g, Double.NaN));
        }
        for (String c : COUNTERS) {
            out.put(c, values.getOrDefault(c, Double.NaN));
        }
    }

    private void rows(Map<String, Double> out) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
                    r.next();
                    out.put(table, (double) r.getLong(1));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT pg_database_size(current_database())")) {
                r.next();
                out.put("db", r.getLong(1) / 1048576.0);
            }
        } catch (Exception e) {
            Scenarios.log("soak: cannot count rows: %s", e);
        }
    }

    /** The gauges seen so far, for the report. */
    List<String> gaugeNames() {
        return new ArrayList<>(gauges);
    }
}
