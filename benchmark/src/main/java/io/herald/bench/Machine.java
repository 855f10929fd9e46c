package io.herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the figures were measured on, read at run time. */
final class Machine {
    int cores;
    String cpu = "?";
    long memoryBytes;
    String jdk;
    String os = "?";
    String node = "?";
    String herald = "?";
    double loadStart;
    double loadEnd;

    static Machine read() {
        Machine m = new Machine();
        m.cores = Runtime.getRuntime().availableProcessors();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    m.memoryBytes = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    m.os = line.substring(12).replace("\"", "");
                }
            }
        } catch (Exception e) {
            // leave what is unknown as "?"
        }
        // The kernel's major.minor only: its full build string can name the host.
        String kernel = System.getProperty("os.version", "");
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("^(\\d+\\.\\d+)").matcher(kernel);
        m.os += ", Linux" + (version.find() ? " " + version.group(1) : "");
        m.jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(10, TimeUnit.SECONDS)) {
                m.node = "Node " + v;
            }
        } catch (Exception e) {
            // unknown
        }
        return m;
    }

    /** The Herald commit the WAR was built from (with a note if src/ had uncommitted changes). */
    void readHerald(java.nio.file.Path project) {
        // The last commit that changed Herald itself (not the benchmark or the docs).
        String commit = git(project, "log", "-1", "--format=%h %s", "--", "src/main", "webapp", "pom.xml", "server-config");
        if (commit == null || commit.isBlank()) {
            return;
        }
        String dirty = git(project, "status", "--porcelain", "--", "src/main", "webapp", "pom.xml", "server-config");
        herald = commit.trim() + (dirty != null && !dirty.isBlank() ? " (plus uncommitted changes)" : "");
    }

    private static String git(java.nio.file.Path project, String... args) {
        try {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git", "-C", project.toString()));
            command.addAll(java.util.List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (Exception e) {
            return null;
        }
    }

    String summary() {
        return String.format("%d cores (%s), %.1f GiB, %s, %s, %s", cores, cpu, memoryBytes / 1073741824.0, jdk, os, node);
    }
}
