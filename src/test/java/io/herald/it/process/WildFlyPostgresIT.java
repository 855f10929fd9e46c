package io.herald.it.process;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.it.support.WebhookReceiver;
import io.herald.it.support.WebhookReceiver.Request;
import io.herald.it.support.WsClient;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Durable delivery on PostgreSQL behind WildFly, configured with server-config/wildfly/postgresql.cli; and
 * the webhooks' outbox, presence record and unacknowledged-message scan on the same database.
 */
class WildFlyPostgresIT extends PostgresDurability {

    // Generous: the durability tests before this one leave thousands of unacknowledged messages to report first.
    private static final Duration WAIT = Duration.ofSeconds(90);
    private final WebhookReceiver receiver = WebhookReceiver.start();

    @Override
    AppServer server(int postgresPort, Path target) throws Exception {
        return WildFlyNode.prepare(target.resolve("process-it/postgres-wildfly"), 300,
                Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                        "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                .with(Map.of("herald.webhook.url", receiver.url(),
                        "herald.webhook.secret", "process-it-webhook-secret-0123456789",
                        "herald.webhook.unacked-after-seconds", "1",
                        "herald.webhook.offline-delay-ms", "500",
                        "herald.webhook.retry-initial-ms", "200",
                        // The burst of connects below comes from one address, faster than its default limit.
                        "herald.limits.connections-per-address-per-second", "0"));
    }

    @Override
    void afterServer() throws Exception {
        super.afterServer();
        receiver.close();
    }

    @Test
    @Order(5)
    void webhooksRunOnPostgres() {
        String uid = "pg-hook-" + System.nanoTime();
        receiver.failNext(uid, 1); // one retry: the failure path's updates run on PostgreSQL too
        herald.connect(uid).close();
        receiver.awaitDelivered(r -> r.type().equals("uid.offline") && uid.equals(r.uid()), WAIT);
        assertEquals(List.of("uid.online", "client.connected", "client.closed", "uid.offline"),
                receiver.requests(r -> uid.equals(r.uid()) && r.delivered()).stream().map(Request::type).toList());

        String away = "pg-away-" + System.nanoTime();
        JsonObject receipt = herald.api().post("/uids/" + away + "/messages", obj("data", "later")).expect(202).object();
        Request unacked = receiver.awaitDelivered(r -> r.type().equals("message.unacknowledged") && away.equals(r.uid()), WAIT);
        assertEquals(receipt.getString("id"), unacked.data().getString("messageId"));
    }

    /**
     * Uids that connect together are recorded online in one statement and go offline in one: each is still
     * reported once each way, in order, whichever batch it falls in.
     */
    @Test
    @Order(6)
    void uidsConnectingTogetherAreEachReportedOnlineAndOfflineOnce() {
        String run = "pg-burst-" + System.nanoTime();
        List<String> uids = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            uids.add(run + "-" + i);
            clients.add(herald.connect(run + "-" + i));
            clients.add(herald.connect(run + "-" + i));
        }
        clients.forEach(WsClient::close);
        for (String uid : uids) {
            receiver.awaitDelivered(r -> r.type().equals("uid.offline") && uid.equals(r.uid()), WAIT);
        }
        for (String uid : uids) {
            assertEquals(List.of("uid.online", "uid.offline"), receiver.requests(r -> uid.equals(r.uid())
                    && r.delivered() && r.type().startsWith("uid.")).stream().map(Request::type).toList(), uid);
        }
    }
}
