package io.herald.api;

import io.herald.background.Timers;
import io.herald.connection.Drain;
import io.herald.routing.ConnectionSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The open backend channels of this node: a WebSocket ping for a channel silent for
 * {@code herald.heartbeat.interval-seconds}, a close (4000) past {@code herald.heartbeat.timeout-seconds},
 * and, once the node drains, a close (1012) of each channel as soon as its last accepted request is answered.
 */
@ApplicationScoped
public class Channels {

    private static final long TICK_MILLIS = 250;

    @Inject
    ConnectionSettings settings;

    @Inject
    Drain drain;

    @Inject
    Timers timers;

    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> sweeps;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        sweeps = timers.every("the backend channels' heartbeat", TICK_MILLIS, this::sweep);
    }

    @PreDestroy
    void stop() {
        if (sweeps != null) {
            sweeps.cancel(false);
        }
    }

    void opened(Channel channel) {
        open.add(channel);
        if (drain.active()) {
            channel.drain();
        }
    }

    void closed(Channel channel) {
        open.remove(channel);
    }

    int count() {
        return open.size();
    }

    /** Drains every channel and waits, at most {@code graceMillis}, until they are closed. */
    void drainAll(long graceMillis) {
        open.forEach(Channel::drain);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void sweep() {
        boolean draining = drain.active();
        long now = System.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatIntervalMillis());
        long timeout = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatTimeoutMillis());
        for (Channel channel : open) {
            if (draining) {
                channel.drain();
            }
            channel.heartbeat(now, interval, timeout);
        }
    }
}
