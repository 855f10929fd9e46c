package io.herald.it.process;

import io.herald.it.support.JsonSupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A backend pushing to random uids through the load balancer, one request at a time, durable
 * ({@code {"d":n}}) or ephemeral ({@code {"e":n}}, {@code "durable":false}). It records what each push was
 * answered, when, and for a 202 what it was accepted as: a durable push's seq per uid, an ephemeral push's
 * number per uid. Bounded by a count and by {@link #stop()}.
 */
final class LoadPusher implements Runnable {

    /** How a push ended. */
    enum Outcome { ACCEPTED, UNAVAILABLE, OTHER_STATUS, CONNECTION_ERROR }

    record Answer(long atNanos, long tookNanos, Outcome outcome, String detail) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final boolean durableMessages;
    private final URI api;
    private final String key;
    private final List<String> uids;
    private final int maxPushes;
    private final long pauseMillis;
    private final HttpClient http;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    /** Durable: uid to (seq to n). */
    private final Map<String, Map<Long, Integer>> seqs = new ConcurrentHashMap<>();
    /** Ephemeral: uid to the numbers answered 202. */
    private final Map<String, Set<Integer>> accepted = new ConcurrentHashMap<>();

    LoadPusher(boolean durableMessages, URI api, String key, List<String> uids, int maxPushes, long pauseMillis,
               HttpClient http) {
        this.durableMessages = durableMessages;
        this.api = api;
        this.key = key;
        this.uids = List.copyOf(uids);
        this.maxPushes = maxPushes;
        this.pauseMillis = pauseMillis;
        this.http = http;
    }

    @Override
    public void run() {
        for (int n = 1; n <= maxPushes && running.get(); n++) {
            String uid = uids.get(ThreadLocalRandom.current().nextInt(uids.size()));
            String body = durableMessages
                    ? JsonSupport.obj("data", JsonSupport.obj("d", n)).toString()
                    : JsonSupport.obj("data", JsonSupport.obj("e", n), "durable", false).toString();
            HttpRequest request = HttpRequest.newBuilder(api.resolve("uids/" + uid + "/messages"))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            long asked = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                record(uid, n, asked, response);
            } catch (IOException e) {
                long now = System.nanoTime();
                answers.add(new Answer(now, now - asked, Outcome.CONNECTION_ERROR, e.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void record(String uid, int n, long asked, HttpResponse<String> response) {
        long now = System.nanoTime();
        int status = response.statusCode();
        if (status == 202) {
            if (durableMessages) {
                long seq = JsonSupport.parse(response.body()).asJsonObject().getJsonNumber("seq").longValue();
                seqs.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put(seq, n);
            } else {
                accepted.computeIfAbsent(uid, u -> ConcurrentHashMap.newKeySet()).add(n);
            }
            answers.add(new Answer(now, now - asked, Outcome.ACCEPTED, null));
        } else {
            answers.add(new Answer(now, now - asked, status == 503 ? Outcome.UNAVAILABLE : Outcome.OTHER_STATUS,
                    status + " " + response.body()));
        }
    }

    void stop() {
        running.set(false);
    }

    List<Answer> answers() {
        return List.copyOf(answers);
    }

    /** Durable pushes answered 202: seq to the pushed number, for this uid. */
    Map<Long, Integer> acceptedSeqs(String uid) {
        return seqs.getOrDefault(uid, Map.of());
    }

    /** Ephemeral pushes answered 202 for this uid. */
    Set<Integer> acceptedEphemeral(String uid) {
        return accepted.getOrDefault(uid, Set.of());
    }
}
