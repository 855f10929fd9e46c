package io.herald.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hot spots of a server's JFR recording within a time window (one scenario's, from jfr/windows.txt):
 * CPU samples by method (self and inclusive), by thread, the share still interpreted, allocation by
 * allocating method, GC pauses.
 *
 * <pre>java -cp benchmark/target/herald-benchmark.jar io.herald.bench.JfrTop FILE.jfr [FROM TO] [FILTER]</pre>
 */
public final class JfrTop {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Instant from = args.length > 2 ? Instant.parse(args[1]) : Instant.MIN;
        Instant to = args.length > 2 ? Instant.parse(args[2]) : Instant.MAX;
        String filter = args.length > 3 ? args[3] : "io.herald";
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> types = new HashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        Map<String, Double> threadCpu = new HashMap<>();
        long allocated = 0;
        long gcPauseNanos = 0;
        int gcs = 0;
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            Instant t = e.getStartTime();
            if (t.isBefore(from) || t.isAfter(to)) {
                continue;
            }
            String type = e.getEventType().getName();
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace st = e.getStackTrace();
                    if (st == null || st.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    RecordedFrame top = st.getFrames().get(0);
                    types.merge(top.getType(), 1, Integer::sum);
                    self.merge(name(top), 1, Integer::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : st.getFrames()) {
                        String n = name(f);
                        if (seen.add(n)) {
                            inclusive.merge(n, 1, Integer::sum);
                        }
                    }
                    String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                    threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "N"), 1, Integer::sum);
                }
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    allocated += weight;
                    RecordedStackTrace st = e.getStackTrace();
                    String where = "?";
                    if (st != null) {
                        for (RecordedFrame f : st.getFrames()) {
                            String n = name(f);
                            if (n.startsWith(filter)) {
                                where = n;
                                break;
                            }
                        }
                    }
                    allocation.merge(where, weight, Long::sum);
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPauseNanos += e.getDuration("sumOfPauses").toNanos();
                }
                case "jdk.ThreadCPULoad" -> {
                    String thread = e.getThread() == null ? "?" : String.valueOf(e.getThread().getJavaName());
                    threadCpu.merge(thread.replaceAll("\\d+", "N"), (double) (e.getFloat("user") + e.getFloat("system")), Double::sum);
                }
                default -> { }
            }
        }
        System.out.printf("%d CPU samples; top frame: %s%n", samples, types);
        System.out.printf("GC: %d collections, %.0f ms of pauses; allocated (sampled weight) %.0f MiB%n", gcs,
                gcPauseNanos / 1e6, allocated / 1048576.0);
        print("samples by thread", threads, samples, 10);
        print("self", self, samples, 25);
        print("inclusive, " + filter + " only", filtered(inclusive, filter), samples, 40);
        print("inclusive, all", inclusive, samples, Integer.getInteger("limit", 40));
        Map<String, Long> alloc = sorted(allocation);
        System.out.println("== allocation by first " + filter + " frame");
        int i = 0;
        for (Map.Entry<String, Long> en : alloc.entrySet()) {
            if (i++ >= 20) {
                break;
            }
            System.out.printf("%6.1f%% %s%n", 100.0 * en.getValue() / Math.max(1, allocated), en.getKey());
        }
        System.out.println("== thread CPU (sum of per-second loads, machine %)");
        threadCpu.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(12)
                .forEach(en -> System.out.printf("%8.1f %s%n", en.getValue() * 100, en.getKey()));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static Map<String, Integer> filtered(Map<String, Integer> all, String prefix) {
        Map<String, Integer> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static <V extends Comparable<V>> Map<String, V> sorted(Map<String, V> map) {
        Map<String, V> out = new LinkedHashMap<>();
        map.entrySet().stream().sorted((a, b) -> b.getValue().compareTo(a.getValue()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static void print(String title, Map<String, Integer> counts, int total, int limit) {
        System.out.println("== " + title);
        int i = 0;
        for (Map.Entry<String, Integer> e : sorted(counts).entrySet()) {
            if (i++ >= limit) {
                break;
            }
            System.out.printf("%6.1f%% %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey());
        }
    }
}
