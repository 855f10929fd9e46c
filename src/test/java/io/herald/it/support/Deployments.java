package io.herald.it.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.ArchivePaths;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Test deployments built from the WAR the build produced (system property {@code herald.war}), with test
 * configuration written to {@code WEB-INF/classes/META-INF/microprofile-config.properties}. Keys the WAR
 * already configures there are kept unless the test overrides them.
 */
public final class Deployments {

    private static final String CONFIG = "META-INF/microprofile-config.properties";

    private Deployments() {
    }

    /**
     * Development mode on (clients may connect unbound or with {@code ?uid=}), both test API keys with every
     * scope, default limits but the connections per address: the tests open many connections from
     * 127.0.0.1 in quick succession (LimitsIT tests that limit).
     */
    public static Map<String, String> baseConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("herald.dev-mode", "true");
        c.put("herald.api.keys", Herald.KEY + "," + Herald.SECOND_KEY);
        c.put("herald.limits.connections-per-address-per-second", "0");
        return c;
    }

    /** {@link #baseConfig()} plus the given pairs (key, value, key, value, ...). */
    public static Map<String, String> config(String... pairs) {
        Map<String, String> c = baseConfig();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            c.put(pairs[i], pairs[i + 1]);
        }
        return c;
    }

    public static WebArchive herald(String archiveName, Map<String, String> config) {
        String warPath = System.getProperty("herald.war");
        if (warPath == null || warPath.isBlank()) {
            throw new IllegalStateException("system property herald.war (the built WAR) is not set");
        }
        File war = new File(warPath);
        if (!war.isFile()) {
            throw new IllegalStateException("the built WAR does not exist: " + war);
        }
        WebArchive archive = ShrinkWrap.create(ZipImporter.class, archiveName).importFrom(war).as(WebArchive.class);

        Properties merged = new Properties();
        ArchivePath configPath = ArchivePaths.create("WEB-INF/classes", CONFIG);
        Node existing = archive.get(configPath);
        if (existing != null && existing.getAsset() != null) {
            try (InputStream in = existing.getAsset().openStream()) {
                merged.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            archive.delete(configPath);
        }
        merged.putAll(config);
        archive.addAsResource(new StringAsset(toText(merged)), CONFIG);
        return archive;
    }

    private static String toText(Properties p) {
        StringWriter w = new StringWriter();
        Map<String, String> sorted = new TreeMap<>();
        p.forEach((k, v) -> sorted.put(String.valueOf(k), String.valueOf(v)));
        w.write("# test configuration\n");
        sorted.forEach((k, v) -> w.write(escape(k) + "=" + escape(v) + "\n"));
        return w.toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '=', ':', '#', '!' -> b.append('\\').append(ch);
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
