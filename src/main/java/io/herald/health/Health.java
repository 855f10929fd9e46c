package io.herald.health;

import io.herald.cluster.Cluster;
import io.herald.connection.Drain;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether this node is alive and whether it should get traffic (GET /api/health/live and /ready).
 * Readiness is a list of named checks: a new one is one more line in {@link #readiness()}.
 */
@ApplicationScoped
public class Health {

    private static final Logger LOG = Logger.getLogger(Health.class.getName());

    /** How long a readiness probe waits for the database; a pool that blocks longer counts as down. */
    static final long DATABASE_TIMEOUT_MILLIS = 2000;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Resource
    ManagedExecutorService executor;

    @Inject
    Cluster cluster;

    @Inject
    Drain drain;

    /** The database probe under way: concurrent probes share it, so a hanging database ties up one thread. */
    private final AtomicReference<Future<Boolean>> databaseProbe = new AtomicReference<>();
    private volatile boolean wasReady = true;

    /**
     * Liveness checks nothing Herald depends on: the answer itself shows the application is deployed and
     * serving. A database outage must make nodes unready, never get them restarted.
     */
    public List<Check> liveness() {
        return List.of();
    }

    /**
     * Ready: the store answers, so does the cluster engine when clustering is on, and the node is not
     * draining (a load balancer then stops sending it new clients before they would get 503).
     */
    public List<Check> readiness() {
        return List.of(
                new Check("database", this::databaseUp),
                new Check("cluster", cluster::running),
                new Check("accepting-clients", () -> !drain.active()));
    }

    /** Runs the checks in order: each check's state by name. */
    public Map<String, Boolean> run(List<Check> checks) {
        Map<String, Boolean> states = new LinkedHashMap<>();
        for (Check check : checks) {
            states.put(check.name(), check.up());
        }
        return states;
    }

    /** Runs the readiness checks, and logs when the node becomes unready or ready again. */
    public Map<String, Boolean> ready() {
        Map<String, Boolean> states = run(readiness());
        boolean ready = !states.containsValue(false);
        if (ready != wasReady) {
            wasReady = ready;
            if (ready) {
                LOG.info("Herald node is ready again");
            } else {
                LOG.warning(() -> "Herald node is not ready: " + states);
            }
        }
        return states;
    }

    private boolean databaseUp() {
        Future<Boolean> probe = databaseProbe.get();
        if (probe == null || probe.isDone()) {
            FutureTask<Boolean> fresh = new FutureTask<>(this::probeDatabase);
            if (databaseProbe.compareAndSet(probe, fresh)) {
                try {
                    executor.execute(fresh);
                } catch (RejectedExecutionException e) {
                    return false; // stopping
                }
                probe = fresh;
            } else {
                probe = databaseProbe.get();
            }
        }
        try {
            return probe.get(DATABASE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean probeDatabase() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) TimeUnit.MILLISECONDS.toSeconds(DATABASE_TIMEOUT_MILLIS));
        } catch (SQLException e) {
            LOG.log(Level.FINE, "the database did not answer the readiness probe", e);
            return false;
        }
    }
}
