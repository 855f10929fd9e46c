package io.herald.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.herald.it.support.Deployments;
import io.herald.it.support.Herald;
import io.herald.it.support.Names;
import io.herald.it.support.WsClient;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When Herald stops (its WAR is undeployed, or the server shuts down), it drains: clients are closed with
 * 1012 ("service restart": reconnect elsewhere or later).
 * The deployment is unmanaged so that the test can undeploy it while clients are connected; it is
 * deployed before the test method, whose URL parameter is resolved after that.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownIT {

    private static final String NAME = "shutdown";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-shutdown.war", Deployments.baseConfig());
    }

    @ArquillianResource
    Deployer deployer;

    private Herald herald;

    @BeforeEach
    void deploy() {
        deployer.deploy(NAME);
    }

    @AfterEach
    void tearDown() {
        if (herald != null) {
            herald.close();
        }
    }

    @Test
    void clientsAreClosedWith1012WhenHeraldStops(@ArquillianResource @OperateOnDeployment(NAME) URL url) {
        assertNotNull(url, "deployment URL");
        // a bound client first gets its durable stream's replay frame: DurableDeliveryIT covers it
        herald = Herald.at(url).skipping("replay");
        WsClient a = herald.connect(Names.unique("a"));
        WsClient b = herald.connect(null);

        deployer.undeploy(NAME);

        a.assertClosedWith(1012, Duration.ofSeconds(60));
        b.assertClosedWith(1012, Duration.ofSeconds(15));
    }
}
