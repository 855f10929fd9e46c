package io.herald.it;

import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URL;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.herald.it.support.Await.eventually;
import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Retention: messages beyond the newest {@code max-per-uid}, or older than {@code retention}, are purged by
 * the scheduled job, and a client whose position is older than what is kept is told so explicitly.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DurableRetentionIT extends ClientTest {

    /** These tests read the replay frame a bound client gets first. */
    @Override
    protected Herald open(URL url) {
        return Herald.at(url);
    }

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-retention.war", Deployments.config(
                "herald.durable.max-per-uid", "3",
                "herald.durable.retention", "PT10S",
                "herald.durable.purge-interval", "PT1S"));
    }

    private void push(String uid, int n) {
        api.post("/uids/" + uid + "/messages", obj("data", n)).expect(202);
    }

    private long oldestStored(String uid) {
        var messages = api.get("/uids/" + uid + "/messages").expect(200).object().getJsonArray("messages");
        return messages.isEmpty() ? 0 : messages.getJsonObject(0).getJsonNumber("seq").longValue();
    }

    @Test
    void onlyTheNewestMessagesPerUidAreKeptAndAnOlderPositionIsReportedNotRecovered() {
        String uid = Names.unique("count");
        for (int i = 1; i <= 7; i++) {
            push(uid, i);
        }
        eventually(WAIT, () -> assertEquals(5, oldestStored(uid), "the newest 3 of 7 are kept"));

        WsClient client = herald.connectQuery("uid=" + uid + "&since=0", true);
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertFalse(replay.getBoolean("recovered"));
        assertEquals("expired", replay.getString("reason"));
        assertEquals(5, replay.getJsonNumber("oldest").longValue());
        assertEquals(4, replay.getJsonNumber("since").longValue());
        for (long seq = 5; seq <= 7; seq++) {
            assertEquals(seq, client.awaitMessage(WAIT).getJsonNumber("seq").longValue());
        }

        WsClient current = herald.connectQuery("uid=" + uid + "&since=5", true);
        JsonObject fine = current.awaitFrame("replay", WAIT);
        assertEquals(true, fine.getBoolean("recovered"), "a position that is still kept recovers");
    }

    @Test
    void messagesOlderThanTheRetentionAreExpired() {
        String uid = Names.unique("age");
        push(uid, 1);
        push(uid, 2);
        eventually(Duration.ofSeconds(30), () -> assertEquals(0, oldestStored(uid), "both expired"));
        JsonObject state = api.get("/uids/" + uid).expect(200).object();
        assertEquals(2, state.getJsonNumber("seq").longValue(), "the stream keeps its position");

        WsClient client = herald.connectQuery("uid=" + uid + "&since=1", true);
        JsonObject replay = client.awaitFrame("replay", WAIT);
        assertFalse(replay.getBoolean("recovered"));
        assertEquals("expired", replay.getString("reason"));
        assertEquals(2, replay.getJsonNumber("since").longValue());
        push(uid, 3);
        assertEquals(3, client.awaitMessage(WAIT).getJsonNumber("seq").longValue(), "then live as usual");
    }
}
