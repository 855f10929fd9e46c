package io.herald.it.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Durable delivery on PostgreSQL behind Payara Micro, configured with server-config/payara/postgresql.asadmin. */
class PayaraPostgresIT extends PostgresDurability {

    @Override
    AppServer server(int postgresPort, Path target) throws Exception {
        return new PayaraNode(target.resolve("process-it/postgres-payara"), 8390,
                Map.of("HERALD_DB_HOST", "127.0.0.1", "HERALD_DB_PORT", String.valueOf(postgresPort),
                        "HERALD_DB_NAME", "postgres", "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                List.of("--addLibs", System.getProperty("postgresql.jar"),
                        "--postbootcommandfile",
                        Path.of(System.getProperty("server.config.dir"), "payara", "postgresql.asadmin").toString()));
    }
}
