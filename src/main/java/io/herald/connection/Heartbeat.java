package io.herald.connection;

import io.herald.config.HeraldConfig;
import io.herald.metrics.Metrics;
import io.herald.routing.Registry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.herald.routing.Client;
import io.herald.routing.Frames;
import io.herald.routing.CloseCodes;

/**
 * Pings clients that have been silent for {@code herald.heartbeat.interval-seconds} and closes (4000)
 * those silent past {@code herald.heartbeat.timeout-seconds}. Any frame from a client counts as a sign
 * of life, so busy clients are never pinged. One sweep over all clients per tick; a tick is a quarter of
 * the shorter setting, between 0.25 and 5 seconds.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    @Inject
    HeraldConfig config;

    @Inject
    Registry registry;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> sweeps;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        long tick = Math.min(config.heartbeatIntervalMillis(), config.heartbeatTimeoutMillis()) / 4;
        tick = Math.max(250, Math.min(5000, tick));
        sweeps = scheduler.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (sweeps != null) {
            sweeps.cancel(false);
        }
    }

    void sweep() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule and silently end all heartbeats.
            LOG.log(Level.SEVERE, "heartbeat sweep failed; it runs again next tick", e);
        }
    }

    private void sweepOnce() {
        long now = System.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
        long timeout = TimeUnit.MILLISECONDS.toNanos(config.heartbeatTimeoutMillis());
        for (Client client : registry.allClients()) {
            long silent = now - client.lastHeardNanos();
            if (silent >= timeout) {
                if (registry.remove(client)) {
                    metrics.heartbeatCloses().inc();
                    log.heartbeatTimeout(client, TimeUnit.NANOSECONDS.toMillis(silent));
                    client.outbox().closeNow(CloseCodes.HEARTBEAT_TIMEOUT.reason());
                }
            } else if (silent >= interval && now - client.lastPingNanos() >= interval) {
                client.pinged(now);
                client.send(Frames.PING);
            }
        }
    }
}
