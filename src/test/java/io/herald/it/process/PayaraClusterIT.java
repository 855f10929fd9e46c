package io.herald.it.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The cluster's cases on three Payara Micro nodes, configured with server-config/payara/postgresql.asadmin.
 * Herald's own Hazelcast forms the cluster; Payara's is off ({@code --nohazelcast}).
 */
class PayaraClusterIT extends Clustered {

    @Override
    AppServer node(int index, Path target, int postgresPort, Map<String, String> settings) throws Exception {
        return new PayaraNode(target.resolve("process-it/payara-cluster-node-" + (index + 1)), 10780 + index,
                Map.of("HERALD_DB_HOST", "127.0.0.1", "HERALD_DB_PORT", String.valueOf(postgresPort),
                        "HERALD_DB_NAME", "postgres", "HERALD_DB_USER", "postgres", "HERALD_DB_PASSWORD", "postgres"),
                settings.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList(),
                List.of("--addLibs", System.getProperty("postgresql.jar"),
                        "--postbootcommandfile",
                        Path.of(System.getProperty("server.config.dir"), "payara", "postgresql.asadmin").toString()));
    }
}
