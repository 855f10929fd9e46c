package io.herald.connection;

import io.herald.background.Timers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.herald.routing.Client;

/**
 * The log lines an operator needs about connections: refused handshakes, slow consumers and heartbeat
 * timeouts, each one line with the client's ids, address and reason. Each kind logs its first
 * {@value #INFO_PER_MINUTE} events of a minute at INFO, the rest at FINE, and then one INFO line a minute
 * saying how many more there were: a flood of bad handshakes or a network outage that drops thousands of
 * clients costs a few lines, not thousands. The counts themselves are in the metrics.
 */
@ApplicationScoped
public class ConnectionLog {

    static final int INFO_PER_MINUTE = 10;

    private static final Logger LOG = Logger.getLogger(ConnectionLog.class.getName());

    @Inject
    Timers timers;

    private final Budget refusals = new Budget("refused WebSocket handshakes");
    private final Budget slowConsumers = new Budget("slow consumers closed");
    private final Budget heartbeatTimeouts = new Budget("clients closed for heartbeat timeout");
    private final Budget frameFailures = new Budget("frames whose handling failed");
    private ScheduledFuture<?> summaries;

    @PostConstruct
    void start() {
        summaries = timers.every("the connection log's summary", TimeUnit.MINUTES.toMillis(1), this::summarize);
    }

    @PreDestroy
    void stop() {
        if (summaries != null) {
            summaries.cancel(false);
        }
    }

    /** A handshake refused before the upgrade; {@code uid} is the one the client claimed, if any. */
    public void refused(String address, String uid, int status, String code) {
        refusals.log(() -> "refused WebSocket handshake from " + address + (uid == null ? "" : " (uid " + uid + ")")
                + ": " + status + " " + code);
    }

    public void slowConsumer(Client client, int maxFrames, long maxBytes) {
        slowConsumers.log(() -> "closing slow consumer " + client + " (4001): more than " + maxFrames
                + " frames or " + maxBytes + " bytes waited to be sent (herald.send-queue.max-frames,"
                + " herald.send-queue.max-bytes)");
    }

    /** Handling a client's frame failed in Herald: a bug, logged with its stack within the budget. */
    public void frameFailed(Client client, RuntimeException e) {
        if (!frameFailures.log(() -> "handling a frame of " + client + " failed: " + e)) {
            return;
        }
        LOG.log(Level.WARNING, "the failure's stack", e);
    }

    public void heartbeatTimeout(Client client, long silentMillis) {
        heartbeatTimeouts.log(() -> "closing " + client + " (4000): silent for " + silentMillis
                + " ms (herald.heartbeat.timeout-seconds)");
    }

    void summarize() {
        refusals.summarize();
        slowConsumers.summarize();
        heartbeatTimeouts.summarize();
        frameFailures.summarize();
    }

    /** How many lines of one kind may still go to INFO this minute, and how many went to FINE instead. */
    static final class Budget {
        private final String what;
        private final AtomicInteger logged = new AtomicInteger();
        private final AtomicInteger quiet = new AtomicInteger();

        Budget(String what) {
            this.what = what;
        }

        /** Logs the line at INFO within the budget; returns false if it went to FINE instead. */
        boolean log(Supplier<String> line) {
            if (logged.incrementAndGet() <= INFO_PER_MINUTE) {
                LOG.info(line);
                return true;
            }
            quiet.incrementAndGet();
            LOG.log(Level.FINE, line);
            return false;
        }

        /** Ends the minute: says how many lines went to FINE, if any did, and renews the budget. */
        void summarize() {
            int more = quiet.getAndSet(0);
            logged.set(0);
            if (more > 0) {
                LOG.info(() -> more + " more " + what + " in the last minute, beyond " + INFO_PER_MINUTE
                        + " logged (each at FINE on " + LOG.getName() + ")");
            }
        }
    }
}
