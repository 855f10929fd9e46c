package io.herald.it.process;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The graceful stop on WildFly with the embedded default: a file database in herald.data.dir. */
class GracefulShutdownIT extends GracefulShutdown {

    @Override
    AppServer server(Path target, Map<String, String> heraldConfig) throws Exception {
        Path base = target.resolve("process-it/graceful-wildfly");
        Map<String, String> properties = new HashMap<>(heraldConfig);
        properties.put("herald.data.dir", base.resolve("herald-data").toString());
        return WildFlyNode.prepare(base, 2300, Map.of(), Map.of()).with(properties);
    }
}
