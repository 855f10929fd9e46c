package io.herald.it.process;

import java.nio.file.Path;
import java.util.Map;

/** Durable delivery on PostgreSQL behind WildFly, configured with server-config/wildfly/postgresql.cli. */
class WildFlyPostgresIT extends PostgresDurability {

    @Override
    AppServer server(int postgresPort, Path target) throws Exception {
        return WildFlyNode.prepare(target.resolve("process-it/postgres-wildfly"), 300,
                Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                        "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"));
    }
}
