package io.herald.metrics;

import io.herald.it.support.Dashboard;
import io.herald.routing.Registry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard queries only metrics that Herald exports (MetricsAndHealthIT checks the same
 * against a running server), and shows every metric family Herald exports.
 */
class DashboardTest {

    @Test
    void theDashboardReadsExactlyTheExportedMetrics() throws IOException {
        Set<String> exported = Dashboard.exported(MetricsTest.exposition(MetricsTest.standalone(new Registry())));
        Set<String> used = Dashboard.metricNames(Dashboard.file(Path.of("server-config")));

        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "metrics the dashboard queries but Herald does not export");

        Set<String> families = new TreeSet<>();
        exported.forEach(name -> families.add(name.replaceAll("_(bucket|count|sum)$", "")));
        Set<String> usedFamilies = new TreeSet<>();
        used.forEach(name -> usedFamilies.add(name.replaceAll("_(bucket|count|sum)$", "")));
        families.removeAll(usedFamilies);
        assertTrue(families.isEmpty(), "metrics the dashboard does not show: " + families);
    }
}
