package io.herald.delivery;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;

/**
 * What the store needs to know about the database behind the default datasource, read once at start:
 * whether it can insert a row unless its key exists ({@code ON CONFLICT DO NOTHING}), which PostgreSQL
 * can and the embedded H2 cannot. Only a shared database serves several nodes, so only there can two
 * nodes race to create the same stream.
 */
@ApplicationScoped
public class Database {

    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    private boolean postgres;

    @PostConstruct
    void inspect() {
        try (Connection connection = dataSource.getConnection()) {
            postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            // The store is unusable anyway; Flyway reports the cause when it migrates.
            LOG.warning(() -> "Could not read the database's product name: " + e);
        }
    }

    /**
     * Made at start, on a thread of the deployment. Made later, on a thread without the application's
     * naming context (a position read's turn that an application's asynchronous observer set off), it could
     * not find the datasource.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // inspect() has run
    }

    /** Whether {@code INSERT … ON CONFLICT DO NOTHING} is available. */
    public boolean insertsUnlessPresent() {
        return postgres;
    }
}
