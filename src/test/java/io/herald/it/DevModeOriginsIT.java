package io.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.it.support.Deployments;
import io.herald.it.support.Handshake;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Development mode without herald.allowed-origins: a page from any origin may connect (a dev server on
 * another port, a file), and may read the answers to its plain GETs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DevModeOriginsIT extends ClientTest {

    private static final String ELSEWHERE = "http://localhost:5173";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-dev-origins.war", Deployments.baseConfig());
    }

    @Test
    void aPageFromAnyOriginConnects() {
        Handshake.send(herald.port(), herald.wsPath("uid=dev-origin"), null, "Origin", ELSEWHERE).assertUpgraded();
        Handshake.send(herald.port(), herald.wsPath("uid=dev-origin"), null, "Origin", "null").assertUpgraded();
    }

    @Test
    void itReadsTheAnswersToItsPlainRequests() {
        Handshake.Response accepted = Handshake.plain(herald.port(), herald.wsPath("uid=dev-origin"), null,
                "Origin", ELSEWHERE).assertRefused(426, "upgrade_required");
        assertEquals(ELSEWHERE, accepted.header("Access-Control-Allow-Origin"), accepted.head());
        Handshake.Response refused = Handshake.plain(herald.port(), herald.wsPath("uid=no%20spaces"), null,
                "Origin", ELSEWHERE).assertRefused(400, "bad_uid");
        assertEquals(ELSEWHERE, refused.header("Access-Control-Allow-Origin"), refused.head());
    }

    @Test
    void nothingElseIsRelaxed() {
        Handshake.send(herald.port(), herald.wsPath("token=forged"), null, "Origin", ELSEWHERE)
                .assertRefused(401, "token_invalid");
    }
}
