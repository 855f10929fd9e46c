package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Readings from /proc and jcmd: resident memory, CPU time, heap after a forced GC. Linux only. */
final class Proc {

    /** Clock ticks per second of /proc/<pid>/stat (USER_HZ); 100 on every Linux build that matters. */
    static final long HZ = clockTicks();

    private Proc() {
    }

    /** Resident set size of the process in bytes, or -1 if it is gone. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** utime + stime of the process (all its threads), in clock ticks; -1 if it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name may hold spaces and parentheses: fields start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU ticks of the process and all its descendants alive now (e.g. PostgreSQL and its backends). */
    static long treeCpuTicks(long pid) {
        long total = Math.max(0, cpuTicks(pid));
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
            total += Math.max(0, cpuTicks(child.pid()));
        }
        return total;
    }

    /** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
    static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /** Runs {@code jcmd <pid> GC.run} (a full, blocking collection) and waits for it, bounded. */
    static boolean gc(long pid) {
        return jcmd(pid, "GC.run") != null;
    }

    /** Heap in use in bytes, from {@code jcmd <pid> GC.heap_info}; -1 if unknown. */
    static long heapUsedBytes(long pid) {
        String info = jcmd(pid, "GC.heap_info");
        if (info == null) {
            return -1;
        }
        Matcher m = Pattern.compile("total\\s+(\\d+)K,\\s+used\\s+(\\d+)K").matcher(info);
        long used = 0;
        boolean found = false;
        // G1 reports one heap line; the other collectors one line per generation: add them up.
        while (m.find()) {
            used += Long.parseLong(m.group(2)) * 1024;
            found = true;
            if (info.contains("garbage-first heap")) {
                break;
            }
        }
        return found ? used : -1;
    }

    /** Live objects by class after a full GC ({@code jcmd GC.class_histogram}): class -> {instances, bytes}. */
    static java.util.Map<String, long[]> histogram(long pid) {
        java.util.Map<String, long[]> classes = new java.util.HashMap<>();
        String out = jcmd(pid, "GC.class_histogram");
        if (out == null) {
            return classes;
        }
        Pattern line = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        for (String l : out.split("\n")) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return classes;
    }

    static String jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(String.valueOf(pid));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A CPU/wall meter over an interval for the server processes, the generator, the database, the machine. */
    static final class Meter {
        private final List<Long> serverPids;
        private final long dbPid;
        private long[] serverStart;
        private long selfStart;
        private long dbStart;
        private long[] machineStart;
        private long wallStart;

        Meter(List<Long> serverPids, long dbPid) {
            this.serverPids = serverPids;
            this.dbPid = dbPid;
        }

        Meter start() {
            serverStart = serverPids.stream().mapToLong(Proc::cpuTicks).toArray();
            selfStart = cpuTicks(selfPid());
            dbStart = dbPid > 0 ? treeCpuTicks(dbPid) : 0;
            machineStart = machineTicks();
            wallStart = System.nanoTime();
            return this;
        }

        Usage stop() {
            long wall = System.nanoTime() - wallStart;
            long server = 0;
            for (int i = 0; i < serverPids.size(); i++) {
                server += cpuTicks(serverPids.get(i)) - serverStart[i];
            }
            long self = cpuTicks(selfPid()) - selfStart;
            long db = dbPid > 0 ? treeCpuTicks(dbPid) - dbStart : 0;
            long[] machine = machineTicks();
            return new Usage(wall, server * 1_000_000_000L / HZ, self * 1_000_000_000L / HZ,
                    Math.max(0, db) * 1_000_000_000L / HZ,
                    (machine[0] - machineStart[0]) * 1_000_000_000L / HZ);
        }
    }

    /** CPU nanoseconds of each party over {@code wallNanos}. */
    record Usage(long wallNanos, long serverNanos, long generatorNanos, long dbNanos, long machineBusyNanos) {
        double cores(long nanos) {
            return wallNanos == 0 ? 0 : (double) nanos / wallNanos;
        }

        double serverCores() {
            return cores(serverNanos);
        }

        double generatorCores() {
            return cores(generatorNanos);
        }

        double dbCores() {
            return cores(dbNanos);
        }

        double machineCores() {
            return cores(machineBusyNanos);
        }

        double otherCores() {
            return Math.max(0, machineCores() - serverCores() - generatorCores() - dbCores());
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
