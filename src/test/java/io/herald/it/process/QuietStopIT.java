package io.herald.it.process;

import io.herald.it.support.Herald;
import io.herald.it.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop is not an error: WildFly suspends the server on SIGTERM before it stops the application, and
 * refuses (with an ERROR and a stack trace, WFLYEE0110) every task of its managed scheduled executor that
 * comes due meanwhile. Herald's timed work (the acknowledgement flush, heartbeats, catch-ups) runs on timers
 * of its own, so a stop with clients connected and pushes under way logs no error of Herald's and no
 * refused task.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuietStopIT {

    @Test
    void aStopSignalWithClientsAndPushesUnderWayLogsNoError() throws Exception {
        Path target = Path.of(System.getProperty("herald.war")).getParent();
        Path base = target.resolve("process-it/quiet-stop-wildfly");
        // The acknowledgement flush (200 ms by default) is what met the suspended server; every 20 ms here, so
        // that a task scheduled on the container's executor would surely come due in the tens of milliseconds
        // between the suspension and the application's stop.
        try (WildFlyNode node = WildFlyNode.prepare(base, 2400, Map.of(), Map.of())
                .with(Map.of("herald.data.dir", base.resolve("herald-data").toString(),
                        "herald.durable.ack-flush-millis", "20"))) {
            node.start(Duration.ofMinutes(3));
            Herald herald = Herald.at(node.url());
            List<String> uids = List.of("quiet-a", "quiet-b");
            List<WsClient> clients = uids.stream()
                    .map(uid -> herald.connectQuery("uid=" + uid + "&since=0", true))
                    .toList();
            for (int i = 0; i < 20; i++) {
                for (String uid : uids) {
                    herald.api().post("/uids/" + uid + "/messages", obj("data", i)).expect(202);
                }
            }
            for (WsClient client : clients) {
                client.awaitFrame("replay", Duration.ofSeconds(30));
                client.sendText("{\"type\":\"ack\",\"seq\":1}");
            }
            Thread.sleep(1000); // a few acknowledgement flushes and a heartbeat sweep have run

            assertTrue(node.stop(Duration.ofSeconds(90)), "the server stops on SIGTERM");
            String log = Files.readString(node.log());
            assertTrue(log.contains("WFLYSRV0050"), "the log covers the whole stop");
            List<String> errors = log.lines()
                    .filter(line -> line.contains("WFLYEE0110") || line.matches(".*\\b(ERROR|SEVERE) \\[io\\.herald.*"))
                    .toList();
            assertEquals(List.of(), errors, "no error of Herald's, no refused scheduled task");
        }
    }
}
