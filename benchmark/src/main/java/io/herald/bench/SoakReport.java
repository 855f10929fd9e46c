package io.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The soak's markdown: settings, one row per minute, and per series the slope over the second half of the
 * run (after warm-up) with a verdict. A series is flat when the fitted change over the second half stays
 * within a tolerance: an absolute one (noise of a reading: a GC's timing, a pending batch) or a share of the
 * series' mean, whichever is larger. Series that grow by design (stored messages until retention) say so.
 */
final class SoakReport {

    /** A series and its tolerance: absolute, and as a share of its mean; byDesign explains a legitimate growth. */
    record Series(String key, String label, double absolute, double relative, String byDesign) {
    }

    private SoakReport() {
    }

    static List<Series> series(List<String> gauges) {
        List<Series> out = new ArrayList<>();
        out.add(new Series("heap", "heap after full GC (MiB)", 8, 0.05, null));
        out.add(new Series("rss", "RSS (MiB)", 24, 0.03, null));
        for (String g : gauges) {
            String design = g.equals("herald_durable_unacknowledged_messages")
                    ? "the messages to uids that never connect stay unacknowledged until retention" : null;
            out.add(new Series(g, g, 20, 0.05, design));
        }
        for (String t : SoakSampler.TABLES) {
            String design = switch (t) {
                case "herald_message" -> "durable messages are kept until retention (7 days, 10,000 per uid)";
                case "herald_push" -> "Idempotency-Keys are kept for the retention (7 days)";
                case "herald_stream" -> "one row per uid that ever connected, never purged: the visitors' new uids";
                default -> null;
            };
            // The outbox is a queue: a few seconds of events come and go between two readings.
            out.add(new Series(t, t + " rows", t.equals("herald_webhook_event") ? 200 : 50, 0.05, design));
        }
        out.add(new Series("db", "database size (MiB)", 4, 0.05, "it holds the stored messages"));
        return out;
    }

    static String markdown(Soak soak) {
        List<Map<String, Double>> rows = soak.samples;
        StringBuilder md = new StringBuilder();
        double minutes = rows.size() > 1 ? rows.get(rows.size() - 1).get("minute") : 0;
        md.append("## Soak\n\n");
        soak.settings.forEach((k, v) -> md.append("- **").append(k).append("**: ").append(v).append('\n'));
        md.append("\nEvery minute: the server's live heap after a full GC (`jcmd GC.class_histogram`), its RSS and CPU; every ")
                .append("`herald_*` gauge of `GET /api/metrics`; the rows of Herald's tables (`count(*)`) and the ")
                .append("database's size; the generator's running totals. The last row (`end`) is taken after the ")
                .append("load stopped and everything drained.\n\n");

        md.append("### Memory, CPU and gauges\n\n");
        List<String> gauges = soak.gaugeNames;
        List<String> cols = new ArrayList<>(List.of("heap", "rss", "cpu"));
        cols.addAll(gauges);
        List<String> heads = new ArrayList<>(List.of("heap MiB", "RSS MiB", "server cores"));
        gauges.forEach(g -> heads.add(g.replace("herald_", "")));
        table(md, rows, cols, heads);

        md.append("\n### Herald's tables (rows) and the database\n\n");
        cols = new ArrayList<>(SoakSampler.TABLES);
        cols.add("db");
        heads.clear();
        SoakSampler.TABLES.forEach(t -> heads.add(t.replace("herald_", "")));
        heads.add("db MiB");
        table(md, rows, cols, heads);

        md.append("\n### Deliveries and load so far (expected / received)\n\n");
        cols = List.of("ephemeral", "durable", "group", "offlineAccepted", "resumes", "visitors", "joins", "webhooks",
                "herald_webhook_deliveries_total", "herald_webhook_failed_attempts_total", "herald_webhook_dropped_total",
                "herald_send_failures_total", "duplicated", "gaps");
        heads.clear();
        heads.addAll(List.of("ephemeral", "durable", "group", "durable to offline uids", "resumes", "visitors",
                "group joins", "webhooks received", "webhooks 2xx (Herald)", "webhook failures", "webhook drops",
                "send failures", "dup", "gaps"));
        table(md, rows, cols, heads);

        md.append("\n### Verdict: slope over the second half (minutes ").append(String.format("%.0f", minutes / 2))
                .append("–").append(String.format("%.0f", minutes)).append(")\n\n");
        md.append("| series | at half | at the end of the load | slope per minute | verdict |\n|---|---:|---:|---:|---|\n");
        for (Series s : series(gauges)) {
            verdict(md, rows, s, minutes);
        }
        if (!soak.heapGrowth.isEmpty()) {
            md.append("\nLive heap by class, second half (from the reading at half time to the last under load), "
                    + "largest changes:\n\n| class | instances | bytes |\n|---|---:|---:|\n");
            soak.heapGrowth.forEach(row -> md.append(row).append('\n'));
        }
        md.append("\n### Counts\n\n");
        soak.tally.forEach((k, v) -> md.append("- **").append(k).append("**: ").append(v).append('\n'));
        return md.toString();
    }

    private static void table(StringBuilder md, List<Map<String, Double>> rows, List<String> cols, List<String> heads) {
        md.append("| min |");
        heads.forEach(h -> md.append(' ').append(h).append(" |"));
        md.append("\n|---:|");
        heads.forEach(h -> md.append("---:|"));
        md.append('\n');
        for (Map<String, Double> row : rows) {
            md.append("| ").append(row.containsKey("end") ? "end" : String.format("%.0f", row.get("minute"))).append(" |");
            for (String c : cols) {
                md.append(' ').append(cell(row, c)).append(" |");
            }
            md.append('\n');
        }
    }

    private static String cell(Map<String, Double> row, String col) {
        if (row.containsKey(col + "Expected")) {
            return String.format("%,.0f / %,.0f", row.get(col + "Expected"), row.get(col + "Received"));
        }
        Double v = row.get(col);
        if (v == null || v.isNaN()) {
            return "–";
        }
        if (col.equals("heap") || col.equals("rss") || col.equals("db")) {
            return String.format("%.1f", v);
        }
        if (col.equals("cpu")) {
            return String.format("%.2f", v);
        }
        return v == Math.rint(v) ? String.format("%,.0f", v) : String.format("%,.1f", v);
    }

    /** Least-squares slope over the rows of the second half under load (the final idle row left out). */
    private static void verdict(StringBuilder md, List<Map<String, Double>> rows, Series s, double minutes) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Double> row : rows) {
            Double v = row.get(s.key());
            if (!row.containsKey("end") && row.get("minute") >= minutes / 2 - 0.01 && v != null && !v.isNaN()) {
                points.add(new double[] {row.get("minute"), v});
            }
        }
        if (points.size() < 2) {
            md.append("| ").append(s.label()).append(" | – | – | – | too few readings |\n");
            return;
        }
        double mx = 0;
        double my = 0;
        for (double[] p : points) {
            mx += p[0];
            my += p[1];
        }
        mx /= points.size();
        my /= points.size();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        double span = points.get(points.size() - 1)[0] - points.get(0)[0];
        double change = slope * span;
        double tolerance = Math.max(s.absolute(), s.relative() * Math.abs(my));
        String verdict;
        if (Math.abs(change) <= tolerance) {
            verdict = "flat";
        } else if (change < 0) {
            verdict = String.format("falls (%+,.1f over the half): no growth", change);
        } else if (s.byDesign() != null) {
            verdict = String.format("grows by design (%s)", s.byDesign());
        } else {
            verdict = String.format("**grows** (%+,.1f over the half, tolerance %,.1f)", change, tolerance);
        }
        md.append(String.format("| %s | %s | %s | %+,.2f | %s |%n", s.label(), num(points.get(0)[1]),
                num(points.get(points.size() - 1)[1]), slope, verdict));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.format("%,.0f", v) : String.format("%,.1f", v);
    }
}
