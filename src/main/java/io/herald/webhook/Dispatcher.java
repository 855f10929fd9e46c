package io.herald.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends outbox events to the endpoint: at most {@code herald.webhook.concurrency} requests at a time from
 * this node, each signed when it is sent and bounded by the timeouts. Requests are asynchronous; their
 * outcomes are recorded by the webhooks' own thread ({@link #settle}), which is also the only caller of
 * {@link #dispatch}. Logs one line when the endpoint starts failing and one when it recovers (the
 * failing line at most once a minute).
 */
final class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    /** A lease outlives the request's timeouts by this much, so that no other node resends it meanwhile. */
    private static final long LEASE_MARGIN_MILLIS = 30_000;
    private static final long ANNOUNCE_EVERY_MILLIS = 60_000;
    /** Due events read ahead per request slot: room to claim past the events other nodes took. */
    private static final int CANDIDATES_PER_SLOT = 8;
    /** How long events read ahead are claimed from before the outbox is read again. */
    private static final long CANDIDATES_FRESH_MILLIS = 1000;

    private record Outcome(OutboxEvent event, int attempt, int status, Throwable error) {
        boolean succeeded() {
            return error == null && status >= 200 && status < 300;
        }

        String describe() {
            return error != null ? error.toString() : "HTTP " + status;
        }
    }

    private final WebhookSettings settings;
    /** Only enabled webhooks have a dispatcher: there is a URL. */
    private final URI url;
    private final EventStore store;
    private final WebhookStats stats;
    private final String node;
    private final HttpClient http;
    private final Signature signature;
    private final Runnable wake;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    /** Due events read ahead, in the outbox's order; only the webhooks' thread touches them. */
    private final Queue<OutboxEvent> candidates = new ArrayDeque<>();
    private long candidatesReadAt;
    private final AtomicBoolean failing = new AtomicBoolean();
    private boolean announced;
    private long announcedAt = Long.MIN_VALUE / 2;
    private long nextDue = Long.MAX_VALUE;

    Dispatcher(WebhookSettings settings, EventStore store, WebhookStats stats, String node, HttpClient http, Runnable wake) {
        this.settings = settings;
        this.url = settings.url().orElseThrow();
        this.store = store;
        this.stats = stats;
        this.node = node;
        this.http = http;
        this.signature = new Signature(settings.secret());
        this.wake = wake;
    }

    /**
     * Claims and sends due events while there is room. A request that ends frees one slot, and reading the
     * outbox for each (the read sorts every pending event) cost more than the request: due events are read
     * ahead, {@link #CANDIDATES_PER_SLOT} per slot, and claimed from that list while it is fresh. The nodes
     * take from the head of the same outbox at the same time: a claim lost to another node moves on to the
     * next candidate (with three nodes, most first claims were lost, and each loser waited for the next
     * poll: a burst went out at a dozen events per second).
     */
    void dispatch(long now) {
        int room = settings.concurrency() - inFlight.size();
        boolean read = false;
        long leaseUntil = now + settings.connectTimeout().toMillis() + 2 * settings.timeout().toMillis() + LEASE_MARGIN_MILLIS;
        while (room > 0) {
            if (candidates.isEmpty() || now - candidatesReadAt > CANDIDATES_FRESH_MILLIS) {
                if (read) {
                    return; // read once already: what is left is other nodes' or not due
                }
                readCandidates(now);
                read = true;
                if (candidates.isEmpty()) {
                    return;
                }
            }
            Map<String, OutboxEvent> turn = new LinkedHashMap<>();
            while (turn.size() < room && !candidates.isEmpty()) {
                OutboxEvent event = candidates.poll();
                turn.put(event.id(), event);
            }
            List<String> claimed = store.claim(List.copyOf(turn.keySet()), node, now, leaseUntil);
            for (String id : claimed) {
                OutboxEvent event = turn.get(id);
                send(event, event.attempts() + 1);
                room--;
            }
            if (claimed.size() < turn.size()) {
                spread();
            }
        }
    }

    /**
     * Another node took some of the events this one tried: the nodes read the same head of the outbox and
     * would go on colliding, candidate after candidate. Each now takes the rest in its own random order. (A
     * uid's events stay in order: only the oldest pending event of each uid is ever a candidate.)
     */
    private void spread() {
        List<OutboxEvent> rest = new ArrayList<>(candidates);
        Collections.shuffle(rest, ThreadLocalRandom.current());
        candidates.clear();
        candidates.addAll(rest);
    }

    private void readCandidates(long now) {
        candidates.clear();
        for (OutboxEvent event : store.due(now, settings.concurrency() * CANDIDATES_PER_SLOT + inFlight.size())) {
            if (!inFlight.contains(event.id())) {
                candidates.add(event);
            }
        }
        candidatesReadAt = now;
    }

    /** The earliest time a retry of this node's is due (a hint for the next poll). */
    long nextDue() {
        return nextDue;
    }

    private void send(OutboxEvent event, int attempt) {
        long timestamp = System.currentTimeMillis() / 1000;
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Herald-Webhooks/1")
                .header("Herald-Event-Id", event.id())
                .header("Herald-Event-Type", event.type())
                .header("Herald-Timestamp", Long.toString(timestamp))
                .header("Herald-Signature", signature.sign(timestamp, event.body()))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()))
                .build();
        inFlight.add(event.id());
        try {
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    // The request timeout covers the response headers; this bounds a body that never ends.
                    .orTimeout(2 * settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((response, error) -> {
                        outcomes.add(new Outcome(event, attempt, response == null ? 0 : response.statusCode(), error));
                        wake.run();
                    });
        } catch (RuntimeException e) {
            outcomes.add(new Outcome(event, attempt, 0, e));
        }
    }

    /** Records the finished requests: delivered events leave the outbox, failed ones wait their backoff. */
    void settle(long now) {
        List<String> delivered = new ArrayList<>();
        List<String> settled = new ArrayList<>();
        try {
            Outcome outcome;
            while ((outcome = outcomes.poll()) != null) {
                settled.add(outcome.event().id());
                if (outcome.succeeded()) {
                    succeeded(outcome);
                    delivered.add(outcome.event().id());
                } else {
                    failed(outcome, now);
                }
            }
            if (!delivered.isEmpty()) {
                store.delivered(delivered);
            }
        } finally {
            // If a write failed, the event's lease runs out and it is sent again: at least once.
            inFlight.removeAll(settled);
        }
    }

    private void succeeded(Outcome outcome) {
        OutboxEvent event = outcome.event();
        stats.countDelivered();
        if (failing.compareAndSet(true, false) && announced) {
            announced = false;
            LOG.info(() -> "webhook endpoint " + endpoint() + " recovered: event " + event.id() + " ("
                    + event.type() + ") delivered on attempt " + outcome.attempt());
        }
    }

    private void failed(Outcome outcome, long now) {
        OutboxEvent event = outcome.event();
        stats.countFailedAttempt();
        String error = outcome.describe();
        boolean tooOld = now - event.createdAt() > settings.maxAgeMillis();
        if (outcome.attempt() >= settings.maxAttempts() || tooOld) {
            stats.countDead();
            LOG.warning(() -> "webhook event " + event.id() + " (" + event.type() + (event.uid() != null ? ", uid "
                    + event.uid() : "") + ") is dead after " + outcome.attempt() + " attempts"
                    + (tooOld ? " and " + (now - event.createdAt()) / 1000 + " s (herald.webhook.max-age)"
                    : " (herald.webhook.max-attempts)") + "; last error: " + error);
            store.failed(event.id(), node, -1, error);
            return;
        }
        long dueAt = now + settings.backoff().delay(outcome.attempt());
        nextDue = Math.min(nextDue, dueAt);
        // One warning per streak, and at most one a minute: an endpoint that refuses only some events
        // would otherwise flip between failing and recovered on every retry.
        if (failing.compareAndSet(false, true) && now - announcedAt >= ANNOUNCE_EVERY_MILLIS) {
            announced = true;
            announcedAt = now;
            LOG.warning(() -> "webhook endpoint " + endpoint() + " is failing: " + error + " for event "
                    + event.id() + " (" + event.type() + (event.uid() != null ? ", uid " + event.uid() : "")
                    + "); retrying with backoff, and logging again when it recovers");
        } else {
            LOG.log(Level.FINE, () -> "webhook event " + event.id() + " attempt " + outcome.attempt() + " failed: " + error);
        }
        store.failed(event.id(), node, dueAt, error);
    }

    /** Forgets the retry hint once it has passed. */
    void polled(long now) {
        if (nextDue <= now) {
            nextDue = Long.MAX_VALUE;
        }
    }

    int inFlight() {
        return inFlight.size();
    }

    /** The endpoint without its query, which may carry a credential. */
    private String endpoint() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "") + url.getPath();
    }
}
