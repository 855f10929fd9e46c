package io.herald.it;

import static io.herald.it.support.JsonSupport.arr;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Api;
import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What durable pushes may hold in memory is bounded in bytes: the journal's queue
 * ({@code herald.durable.queue-max-bytes}, here 250,000 characters) refuses a push that would pass it with
 * 503 store_busy and nothing else, and a page read from the store ({@code herald.durable.page-max-bytes},
 * here 250,000) holds no more than that, for a history request as for a replay, without losing a message.
 * Pushes here carry 100,000 characters each.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DurableBoundsIT extends ClientTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LARGE = "x".repeat(100_000);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-durable-bounds.war", Deployments.config(
                "herald.durable.queue-max-bytes", "250000",
                "herald.durable.page-max-bytes", "250000"));
    }

    /** These tests read the replay frame a bound client gets first. */
    @Override
    protected Herald open(URL url) {
        return Herald.at(url);
    }

    private static JsonObject large(int n) {
        return obj("n", n, "text", LARGE);
    }

    private JsonArray history(String uid, long since) {
        return api.get("/uids/" + uid + "/messages?limit=100&since=" + since).expect(200).object().getJsonArray("messages");
    }

    /** "202", or the status and the error code ("503 store_busy"), or the status and what the body was. */
    private static String outcome(Api.Response response) {
        if (response.status() == 202) {
            return "202";
        }
        try {
            return response.status() + " " + response.object().getString("code", "(no code)");
        } catch (RuntimeException notJson) {
            return response.status() + " (not a JSON error)";
        }
    }

    @Test
    void aBatchLargerThanTheQueuesByteBoundGets503StoreBusyAndStoresNothing() {
        String uid = Names.unique("bytes");
        JsonObject tooLarge = obj("messages", arr(obj("uid", uid, "data", large(1)), obj("uid", uid, "data", large(2)),
                obj("uid", uid, "data", large(3))));
        api.post("/messages/batch", tooLarge).expectError(503, "store_busy");
        assertEquals(0, history(uid, 0).size(), "nothing stored");

        JsonObject fits = obj("messages", arr(obj("uid", uid, "data", large(1)), obj("uid", uid, "data", large(2))));
        assertEquals(2, api.post("/messages/batch", fits).expect(202).object().getJsonArray("messages").size());
    }

    @Test
    void concurrentLargePushesGet202Or503StoreBusyNeverAnotherErrorAndTheNodeStaysReady() throws Exception {
        int pushers = 12;
        int each = 10;
        List<String> uids = new ArrayList<>();
        for (int p = 0; p < pushers; p++) {
            uids.add(Names.unique("flood" + p));
        }
        ConcurrentMap<String, Integer> outcomes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> accepted = new TreeMap<>();
        uids.forEach(uid -> accepted.put(uid, new AtomicInteger()));
        ExecutorService pool = Executors.newFixedThreadPool(pushers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (String uid : uids) {
                running.add(pool.submit(() -> {
                    Api own = herald.api();
                    for (int i = 0; i < each; i++) {
                        Api.Response response = own.post("/uids/" + uid + "/messages", obj("data", large(i)));
                        outcomes.merge(outcome(response), 1, Integer::sum);
                        if (response.status() == 202) {
                            accepted.get(uid).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(Map.of("202", 0, "503 store_busy", 0).keySet().containsAll(outcomes.keySet()),
                "only 202 or 503 store_busy: " + outcomes);
        System.out.println("[durable bounds] " + pushers * each + " pushes of 100,000 characters from " + pushers
                + " threads: " + outcomes);

        for (String uid : uids) {
            long seq = api.get("/uids/" + uid).expect(200).object().getJsonNumber("seq").longValue();
            assertEquals(accepted.get(uid).get(), seq, uid + ": exactly the accepted pushes were stored");
        }
        JsonObject ready = api.withKey(null).get("/health/ready").expect(200).object();
        assertEquals("UP", ready.getString("status"), ready.toString());
        api.post("/uids/" + uids.get(0) + "/messages", obj("data", large(99))).expect(202);
    }

    @Test
    void historyAndReplayReadPagesOfAtMostTheByteBoundAndMissNothing() {
        String uid = Names.unique("pages");
        for (int i = 1; i <= 5; i++) {
            api.post("/uids/" + uid + "/messages", obj("data", large(i))).expect(202);
        }

        List<Integer> pageSizes = new ArrayList<>();
        long since = 0;
        while (since < 5) {
            JsonArray page = history(uid, since);
            pageSizes.add(page.size());
            for (int i = 0; i < page.size(); i++) {
                JsonObject message = page.getJsonObject(i);
                assertEquals(since + 1, message.getJsonNumber("seq").longValue());
                assertEquals(since + 1, message.getJsonObject("data").getInt("n"));
                since++;
            }
        }
        // 100,000 characters and a little each: two fit in 250,000, a third would not.
        assertEquals(List.of(2, 2, 1), pageSizes, "pages of the history");
        assertEquals(0, history(uid, 5).size());

        try (WsClient client = herald.connectQuery("uid=" + uid + "&since=0", true)) {
            JsonObject replay = client.awaitFrame("replay", WAIT);
            assertEquals(5, replay.getJsonNumber("seq").longValue(), replay.toString());
            for (int n = 1; n <= 5; n++) {
                JsonObject message = client.awaitMessage(WAIT);
                assertEquals(n, message.getJsonNumber("seq").longValue(), "replayed over three pages, in order");
                assertEquals(LARGE, message.getJsonObject("data").getString("text"));
            }
            api.post("/uids/" + uid + "/messages", obj("data", large(6))).expect(202);
            assertEquals(6, client.awaitMessage(WAIT).getJsonNumber("seq").longValue(), "then live");
        }
    }
}
