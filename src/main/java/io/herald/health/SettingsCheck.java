package io.herald.health;

import io.herald.config.BadSetting;
import io.herald.config.Settings;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the settings while the application deploys, before any bean starts: a bad value is a deployment
 * problem, so the deployment fails with a message naming the key (on every server, as a missing bean would),
 * and nothing (a cluster member, a timer, a socket) has started that would have to be undone.
 */
public class SettingsCheck implements Extension {

    private volatile FeatureSettings.All settings;

    void read(@Observes AfterDeploymentValidation deployed) {
        try {
            settings = FeatureSettings.All.read(Settings.of(ConfigProvider.getConfig(SettingsCheck.class.getClassLoader())));
        } catch (BadSetting e) {
            deployed.addDeploymentProblem(e);
        }
    }

    FeatureSettings.All settings() {
        return settings;
    }
}
