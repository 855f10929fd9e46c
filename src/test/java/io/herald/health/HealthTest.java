package io.herald.health;

import io.herald.cluster.Cluster;
import io.herald.connection.Drain;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness from its checks: a database that hangs is DOWN after the timeout, and probes do not pile up. */
class HealthTest {

    private static <T> T stub(Class<T> type, java.lang.reflect.InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(HealthTest.class.getClassLoader(), new Class<?>[]{type}, handler));
    }

    private static Health health(boolean clusterRunning, DataSource dataSource, AtomicInteger probes) {
        return health(clusterRunning, false, dataSource, probes);
    }

    private static Health health(boolean clusterRunning, boolean draining, DataSource dataSource, AtomicInteger probes) {
        Health health = new Health();
        health.drain = new Drain() {
            @Override
            public boolean active() {
                return draining;
            }
        };
        health.cluster = stub(Cluster.class, (self, method, args) -> {
            if (method.getName().equals("running")) {
                return clusterRunning;
            }
            throw new UnsupportedOperationException(method.getName());
        });
        health.dataSource = dataSource;
        health.executor = stub(ManagedExecutorService.class, (self, method, args) -> {
            if (method.getName().equals("execute")) {
                probes.incrementAndGet();
                Thread probe = new Thread((Runnable) args[0]);
                probe.setDaemon(true);
                probe.start();
                return null;
            }
            throw new UnsupportedOperationException(method.getName());
        });
        return health;
    }

    private static DataSource database(boolean valid, CountDownLatch hang) {
        Connection connection = stub(Connection.class, (self, method, args) -> switch (method.getName()) {
            case "isValid" -> valid;
            case "close" -> null;
            default -> throw new UnsupportedOperationException(method.getName());
        });
        return stub(DataSource.class, (self, method, args) -> {
            if (method.getName().equals("getConnection")) {
                if (hang != null) {
                    hang.await();
                }
                return connection;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    @Test
    void readyWhenTheDatabaseAnswersAndTheClusterRuns() {
        AtomicInteger probes = new AtomicInteger();
        Map<String, Boolean> states = health(true, database(true, null), probes).ready();
        assertEquals(Map.of("database", true, "cluster", true, "accepting-clients", true), states);
        assertEquals(List.of("database", "cluster", "accepting-clients"), List.copyOf(states.keySet()));
        assertTrue(HealthResource.up(states));
    }

    @Test
    void notReadyWhenTheClusterEngineStopped() {
        Map<String, Boolean> states = health(false, database(true, null), new AtomicInteger()).ready();
        assertEquals(Map.of("database", true, "cluster", false, "accepting-clients", true), states);
        JsonObject body = HealthResource.body(states);
        assertEquals("DOWN", body.getString("status"));
        assertEquals("DOWN", body.getJsonArray("checks").getJsonObject(1).getString("status"));
        assertEquals("UP", body.getJsonArray("checks").getJsonObject(0).getString("status"));
    }

    @Test
    void notReadyWhileDraining() {
        Map<String, Boolean> states = health(true, true, database(true, null), new AtomicInteger()).ready();
        assertEquals(Map.of("database", true, "cluster", true, "accepting-clients", false), states);
        assertFalse(HealthResource.up(states));
    }

    @Test
    void aHangingDatabaseIsDownAfterTheTimeoutAndProbedOnceAtATime() {
        CountDownLatch hang = new CountDownLatch(1);
        AtomicInteger probes = new AtomicInteger();
        Health health = health(true, database(true, hang), probes);
        long start = System.nanoTime();
        assertFalse(health.ready().get("database"));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMillis >= Health.DATABASE_TIMEOUT_MILLIS - 50 && waitedMillis < Health.DATABASE_TIMEOUT_MILLIS + 2000,
                "waited " + waitedMillis + " ms");
        assertFalse(health.ready().get("database"));
        assertEquals(1, probes.get(), "the second probe waits for the first instead of starting another");
        hang.countDown();
    }

    @Test
    void anInvalidConnectionIsDown() {
        assertFalse(health(true, database(false, null), new AtomicInteger()).ready().get("database"));
    }

    @Test
    void noChecksIsUp() {
        Map<String, Boolean> none = new LinkedHashMap<>();
        assertTrue(HealthResource.up(none));
        assertEquals("{\"status\":\"UP\",\"checks\":[]}", HealthResource.body(none).toString());
    }
}
