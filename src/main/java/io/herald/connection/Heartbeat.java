package io.herald.connection;

import io.herald.background.FailureLog;
import io.herald.background.Timers;
import io.herald.routing.ConnectionSettings;
import io.herald.metrics.Metrics;
import io.herald.routing.Registry;
import jakarta.annotation.PreDestroy;
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

    @Inject
    ConnectionSettings settings;

    @Inject
    Registry registry;

    @Inject
    Metrics metrics;

    @Inject
    ConnectionLog log;

    @Inject
    Timers timers;

    private final FailureLog failures = new FailureLog(Logger.getLogger(Heartbeat.class.getName()), Level.WARNING,
            "pinging or closing a client in the heartbeat sweep");
    private ScheduledFuture<?> sweeps;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        long tick = Math.min(settings.heartbeatIntervalMillis(), settings.heartbeatTimeoutMillis()) / 4;
        tick = Math.max(250, Math.min(5000, tick));
        // Guarded by the timers: a sweep that throws is logged and the next one runs.
        sweeps = timers.every("the heartbeat sweep", tick, this::sweep);
    }

    @PreDestroy
    void stop() {
        if (sweeps != null) {
            sweeps.cancel(false);
        }
    }

    void sweep() {
        long now = System.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatIntervalMillis());
        long timeout = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatTimeoutMillis());
        for (Client client : registry.allClients()) {
            try {
                check(client, now, interval, timeout);
            } catch (RuntimeException e) {
                // One broken connection must not cost the other clients their pings and timeouts.
                failures.failed(e, "the sweep went on with the next client");
            }
        }
    }

    private void check(Client client, long now, long interval, long timeout) {
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
