package io.herald.delivery;

import jakarta.annotation.Priority;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.util.logging.Logger;

/**
 * Brings the database schema up to date at start, before anything else touches the store, with the
 * versioned migrations in {@code db/migration}. Several nodes starting together are safe: Flyway locks
 * its history table.
 */
@ApplicationScoped
public class Schema {

    private static final Logger LOG = Logger.getLogger(Schema.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    Streams streams;

    void migrate(@Observes @Priority(1) @Initialized(ApplicationScoped.class) Object started) {
        MigrateResult result = Flyway.configure(Schema.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table("herald_schema_history")
                .load()
                .migrate();
        LOG.info(() -> "Herald database schema is at version " + (result.targetSchemaVersion != null
                ? result.targetSchemaVersion : result.initialSchemaVersion)
                + " (" + result.migrationsExecuted + " migrations applied now, " + result.database + ")");
        // Start the persistence unit now rather than on the first client's replay.
        streams.stream("");
    }
}
