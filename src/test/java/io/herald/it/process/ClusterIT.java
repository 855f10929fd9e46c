package io.herald.it.process;

import java.nio.file.Path;
import java.util.Map;

/** The cluster's cases on three WildFly nodes, configured with server-config/wildfly/postgresql.cli. */
class ClusterIT extends Clustered {

    @Override
    AppServer node(int index, Path target, int postgresPort, Map<String, String> settings) throws Exception {
        return WildFlyNode.prepare(target.resolve("process-it/cluster-node-" + (index + 1)), 400 + 100 * index,
                        Map.of("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                                "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                        Map.of("postgresql.jar", System.getProperty("postgresql.jar")),
                        Path.of(System.getProperty("server.config.dir"), "wildfly", "postgresql.cli"))
                .with(settings);
    }
}
