package io.herald.it.process;

import java.nio.file.Path;
import java.util.Map;

/**
 * The durability scenarios on the embedded default: WildFly as the build prepares it for the embedded run,
 * whose default datasource is a file database (server-config/wildfly/embedded.cli) in herald.data.dir.
 */
class EmbeddedDurabilityIT extends Durability {

    @Override
    AppServer server(Path target) throws Exception {
        Path base = target.resolve("process-it/embedded-wildfly");
        return WildFlyNode.prepare(base, 200, Map.of(), Map.of())
                .with(Map.of("herald.data.dir", base.resolve("herald-data").toString()));
    }
}
