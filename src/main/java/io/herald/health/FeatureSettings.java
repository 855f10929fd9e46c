package io.herald.health;

import io.herald.security.ApiSettings;
import io.herald.cluster.ClusterSettings;
import io.herald.config.Settings;
import io.herald.connection.DrainSettings;
import io.herald.delivery.DurableSettings;
import io.herald.routing.ConnectionSettings;
import io.herald.security.LimitSettings;
import io.herald.security.SecuritySettings;
import io.herald.security.TokenSettings;
import io.herald.webhook.WebhookSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Every feature's settings, read once while the application deploys ({@link SettingsCheck}), handed to the
 * classes that inject them. Here, in the top layer, because only the top layer may know every feature.
 */
@ApplicationScoped
public class FeatureSettings {

    /** The settings records, read in one go so that the first bad value found stops the deployment. */
    record All(ConnectionSettings connection, LimitSettings limits, SecuritySettings security, TokenSettings tokens,
               ApiSettings api, DrainSettings drain, DurableSettings durable, ClusterSettings cluster,
               WebhookSettings webhooks) {

        static All read(Settings settings) {
            ConnectionSettings connection = ConnectionSettings.from(settings);
            return new All(connection, LimitSettings.from(settings, connection), SecuritySettings.from(settings),
                    TokenSettings.from(settings), ApiSettings.from(settings), DrainSettings.from(settings),
                    DurableSettings.from(settings), ClusterSettings.from(settings), WebhookSettings.from(settings));
        }

        /** One line per record, for the startup report. */
        List<Record> each() {
            return List.of(connection, limits, security, tokens, api, drain, durable, cluster, webhooks);
        }
    }

    @Inject
    SettingsCheck check;

    All all() {
        return check.settings();
    }

    @Produces
    ConnectionSettings connection() {
        return all().connection();
    }

    @Produces
    LimitSettings limits() {
        return all().limits();
    }

    @Produces
    SecuritySettings security() {
        return all().security();
    }

    @Produces
    TokenSettings tokens() {
        return all().tokens();
    }

    @Produces
    ApiSettings api() {
        return all().api();
    }

    @Produces
    DrainSettings drain() {
        return all().drain();
    }

    @Produces
    DurableSettings durable() {
        return all().durable();
    }

    @Produces
    ClusterSettings cluster() {
        return all().cluster();
    }

    @Produces
    WebhookSettings webhooks() {
        return all().webhooks();
    }
}
