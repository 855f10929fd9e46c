package io.herald.it.support;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboard shipped in server-config/grafana, and the metric names its queries use. */
public final class Dashboard {

    private static final Pattern METRIC = Pattern.compile("\\bherald_[a-zA-Z0-9_]+");

    private Dashboard() {
    }

    /** The dashboard file under the given server-config directory. */
    public static Path file(Path serverConfigDir) {
        return serverConfigDir.resolve("grafana").resolve("herald-dashboard.json");
    }

    /** Every herald_ metric name in the dashboard's panel queries and variable queries. */
    public static Set<String> metricNames(Path file) throws IOException {
        JsonObject dashboard;
        try (Reader in = Files.newBufferedReader(file); JsonReader json = Json.createReader(in)) {
            dashboard = json.readObject();
        }
        Set<String> names = new TreeSet<>();
        for (JsonValue panel : dashboard.getJsonArray("panels")) {
            JsonArray targets = panel.asJsonObject().getJsonArray("targets");
            if (targets == null || targets.isEmpty()) {
                throw new AssertionError("panel without queries: " + panel);
            }
            for (JsonValue target : targets) {
                names.addAll(metrics(target.asJsonObject().getString("expr")));
            }
        }
        for (JsonValue variable : dashboard.getJsonObject("templating").getJsonArray("list")) {
            if (variable.asJsonObject().get("definition") instanceof JsonString definition) {
                names.addAll(metrics(definition.getString()));
            }
        }
        return names;
    }

    /** The names of the samples in a Prometheus text exposition (histograms give _bucket, _count, _sum). */
    public static Set<String> exported(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    private static Set<String> metrics(String query) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(query);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
