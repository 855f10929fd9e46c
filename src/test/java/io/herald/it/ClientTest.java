package io.herald.it;

import io.herald.it.support.Api;
import io.herald.it.support.Herald;
import java.net.URL;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that talks to the Herald its class deploys, from outside, as clients and backends do: a
 * {@link Herald} handle (WebSocket clients and the REST API) is opened before each test and closes
 * everything it opened after it. Subclasses declare their {@code @Deployment}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class ClientTest {

    @ArquillianResource
    URL url;

    protected Herald herald;
    protected Api api;

    /**
     * The handle for a test. A bound client first gets its durable stream's replay frame; most tests skip
     * it (DurableDeliveryIT covers it).
     */
    protected Herald open(URL url) {
        return Herald.at(url).skipping("replay");
    }

    @BeforeEach
    void openHerald() {
        herald = open(url);
        api = herald.api();
    }

    @AfterEach
    void closeHerald() {
        herald.close();
    }
}
