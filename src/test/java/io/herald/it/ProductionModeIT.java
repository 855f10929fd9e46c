package io.herald.it;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.RawWebSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Production settings: development mode off, no API key, no token key, anonymous clients off (the
 * defaults). Identification by query parameter is refused with 403, a client without a token with 401
 * (AnonymousIT covers unbound clients where they are switched on), and the REST API is closed
 * (401 api_closed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProductionModeIT extends ClientTest {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // an empty value counts as "not configured" in MicroProfile Config
        return Deployments.herald("herald-prod.war", Map.of("herald.dev-mode", "false", "herald.api.keys", ""));
    }

    @Test
    void uidInTheQueryIsRefusedWith403() {
        RawWebSocket.HandshakeResponse r = herald.handshake("uid=alice");
        assertEquals(403, r.status(), "status line: " + r.statusLine());
    }

    @Test
    void connectingWithoutATokenIsRefusedWith401() {
        RawWebSocket.HandshakeResponse r = herald.handshake(null);
        assertEquals(401, r.status(), r.head());
        RawWebSocket.HandshakeResponse forged = herald.handshake("token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.");
        assertEquals(401, forged.status(), "a token, but no key to check it with: " + forged.head());
    }

    @Test
    void restApiIsClosedWithoutConfiguredKeys() {
        herald.api(Herald.KEY).get("/stats").expectError(401, "api_closed");
        herald.api(null).get("/stats").expectError(401, "api_closed");
        herald.api("anything").post("/broadcast", obj("data", 1)).expectError(401, "api_closed");
    }
}
