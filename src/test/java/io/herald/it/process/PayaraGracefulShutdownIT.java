package io.herald.it.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The graceful stop on Payara Micro (SIGTERM to its JVM), with its default datasource pointed at a file
 * database so that the stored messages survive the restart.
 */
class PayaraGracefulShutdownIT extends GracefulShutdown {

    @Override
    AppServer server(Path target, Map<String, String> heraldConfig) throws Exception {
        Path root = target.resolve("process-it/graceful-payara");
        if (Files.exists(root)) {
            try (Stream<Path> old = Files.walk(root)) {
                old.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        Path data = Files.createDirectories(root.resolve("herald-data"));
        Path postboot = root.resolve("postboot.asadmin");
        Files.writeString(postboot, "set resources.jdbc-connection-pool.H2Pool.property.URL=jdbc:h2:"
                + data.resolve("herald") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE\n");
        StringBuilder properties = new StringBuilder();
        heraldConfig.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Path propertiesFile = root.resolve("herald.properties");
        Files.writeString(propertiesFile, properties);
        return new PayaraNode(root, 10480, Map.of(),
                List.of("--postbootcommandfile", postboot.toString(), "--systemProperties", propertiesFile.toString()));
    }
}
