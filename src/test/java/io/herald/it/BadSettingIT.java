package io.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.it.support.Deployments;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
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
 * A bad setting stops the deployment (README, "Configuration"): Herald never starts with a value it would
 * have to guess at. WildFly answers the deploy with the failure, which names the key.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BadSettingIT {

    private static final String NAME = "bad-setting";
    private static final String KEY = "herald.limits.clients-per-uid-policy";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.herald("herald-bad-setting.war", Deployments.config(KEY, "bogus"));
    }

    @ArquillianResource
    Deployer deployer;

    private Exception refused;

    @BeforeEach
    void deploy() {
        try {
            deployer.deploy(NAME);
        } catch (Exception e) { // WildFly's DeploymentException is a checked one, thrown undeclared
            refused = e;
        }
    }

    @AfterEach
    void undeploy() {
        try {
            deployer.undeploy(NAME);
        } catch (RuntimeException e) {
            // nothing was deployed to take away
        }
    }

    @Test
    void theDeploymentFailsNamingTheKey() {
        if (refused == null) {
            // Payara Micro's adapter starts the server whatever becomes of the WAR and reports no failure; the
            // server's log has it ("CDI deployment failure: herald.limits.clients-per-uid-policy=bogus is not
            // valid…", and an empty "Deployed" list).
            assertEquals("payara", System.getProperty("arquillian.launch"), "the deployment with a bad setting succeeded");
            return;
        }
        StringBuilder chain = new StringBuilder();
        for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
            chain.append(cause).append('\n');
        }
        assertTrue(chain.toString().contains(KEY + "=bogus is not valid: expected one of close-oldest, refuse-new"),
                chain.toString());
    }
}
