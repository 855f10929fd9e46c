package io.herald.it.process;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The browser client's JavaScript tests (src/test/js), run by the one test command:
 * <ol>
 * <li>unit tests of {@code webapp/herald.js} with Node's test runner against an in-process fake server;</li>
 * <li>end-to-end tests of the console page, the admin page and herald.js in a real headless Chromium (driven by
 * playwright-core) against Herald on a real WildFly run as a child process. The Node tests restart that
 * server (SIGKILL, then start) through a small control endpoint served here, while they push.</li>
 * </ol>
 * Without Node.js both are skipped, and without Chromium the browser tests are, each with a message that
 * says so; in CI ({@code CI=true}) they fail instead. Node's output is streamed into this test's output and kept under {@code target/js-tests/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserIT {

    private static final Path TARGET = Path.of(System.getProperty("herald.war")).getParent();
    private static final Path JS = Path.of(System.getProperty("basedir", ".")).resolve("src/test/js").toAbsolutePath();
    /** Where Debian's chromium package puts the browser; HERALD_CHROMIUM names another one. */
    private static final String CHROMIUM = env("HERALD_CHROMIUM", "/usr/bin/chromium");
    /** Client-to-client relays to uids are allowed, so that the console's relay can be tested. */
    private static final String RELAY_POLICY = "uids";
    /** A key with every scope, and one that may only read (the admin page's refusals are tested with it). */
    private static final String API_KEYS = "test-key,query-key:query";
    /** Client tokens are signed with it (the durable group tests sign tokens that list groups). */
    private static final String TOKEN_SECRET = "browser-tests-hmac-secret-of-32-bytes-at-least";
    /** How much of the failing tests' report a failure message carries. */
    private static final int FAILURE_EXCERPT = 1500;
    /** 9280 by default; other process tests use 300 to 600. {@code it.browser.port-offset} moves it. */
    private static final int PORT_OFFSET = Integer.getInteger("it.browser.port-offset", 1200);
    /**
     * {@code it.browser.e2e=durable-groups} runs only {@code e2e/durable-groups.test.js} of the browser tests
     * (a comma-separated list of names), to try one while working on it; unset, all of them run.
     */
    private static final String ONLY = System.getProperty("it.browser.e2e", "").trim();

    private static String nodeVersion;

    /**
     * Skips (with the reason) where the tools are missing on a developer's machine; fails in CI
     * ({@code CI=true}), whose install step must have provided them: a skip there would hide a broken install.
     */
    private static void requireOrSkip(boolean present, String reason) {
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true: failing instead of skipping)");
        }
        Assumptions.assumeTrue(present, reason + " SKIPPED.");
    }

    @BeforeAll
    static void nodeAndPackages() throws Exception {
        nodeVersion = version("node");
        requireOrSkip(nodeVersion != null,
                "Node.js is not on the PATH: the browser client's JavaScript tests (unit and browser) cannot run."
                        + " Install Node.js 20 or later (.ci/run does).");
        installPackages();
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void unitTestsOfTheClientLibrary() throws Exception {
        Map<String, Integer> summary = runNodeTests("unit", Map.of(), Duration.ofMinutes(4));
        assertTrue(summary.getOrDefault("tests", 0) > 0, "the unit tests ran: " + summary);
        assertEquals(0, summary.getOrDefault("skipped", 0), "no unit test is skipped: " + summary);
    }

    @Test
    @Order(2)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void browserTestsAgainstARealServer() throws Exception {
        requireOrSkip(Files.isExecutable(Path.of(CHROMIUM)),
                "No Chromium at " + CHROMIUM + ": the browser (end-to-end) tests cannot run. Install Debian's"
                        + " chromium package (.ci/run does) or set HERALD_CHROMIUM to a Chromium binary.");
        try (WildFlyNode node = WildFlyNode.prepare(TARGET.resolve("process-it/browser-node"), PORT_OFFSET,
                Map.of(), Map.of());
             Control control = new Control(node)) {
            node.with(Map.of("herald.relay.policy", RELAY_POLICY, "herald.api.keys", API_KEYS,
                            "herald.token.hmac-secret", TOKEN_SECRET))
                    .start(Duration.ofMinutes(3));
            Path screenshots = TARGET.resolve("screenshots");
            Map<String, String> environment = Map.of(
                    "HERALD_URL", node.url().toString(),
                    "HERALD_API_KEY", "test-key",
                    "HERALD_QUERY_KEY", "query-key",
                    "HERALD_CONTROL_URL", control.url(),
                    "HERALD_RELAY_POLICY", RELAY_POLICY,
                    "HERALD_TOKEN_SECRET", TOKEN_SECRET,
                    "HERALD_CHROMIUM", CHROMIUM,
                    "HERALD_SCREENSHOTS", screenshots.toString());
            Map<String, Integer> summary = runNodeTests("e2e", environment, Duration.ofMinutes(12));
            assertTrue(summary.getOrDefault("tests", 0) > 0, "the browser tests ran: " + summary);
            assertEquals(0, summary.getOrDefault("skipped", 0), "no browser test is skipped: " + summary);
            if (ONLY.isEmpty()) {
                assertTrue(Files.size(screenshots.resolve("demo.png")) > 10_000, "a screenshot of the console was saved");
                assertTrue(Files.size(screenshots.resolve("admin.png")) > 10_000, "a screenshot of the admin page was saved");
            }
        }
    }

    /**
     * {@code npm ci} when the packages are missing or older than package-lock.json. npm writes its own copy
     * of the lock, {@code node_modules/.package-lock.json}, after an install; the lock pins every package,
     * and nothing downloads a browser.
     */
    private static void installPackages() throws Exception {
        Path lock = JS.resolve("package-lock.json");
        Path installed = JS.resolve("node_modules/.package-lock.json");
        boolean current = Files.exists(installed)
                && !Files.getLastModifiedTime(lock).toInstant().isAfter(Files.getLastModifiedTime(installed).toInstant())
                && Files.exists(JS.resolve("node_modules/ws/package.json"))
                && Files.exists(JS.resolve("node_modules/playwright-core/package.json"));
        if (current) {
            return;
        }
        assertTrue(version("npm") != null, "npm is not on the PATH, and the packages in "
                + JS.resolve("node_modules") + " are missing or older than package-lock.json");
        int exit = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
                Duration.ofMinutes(5), "npm", TARGET.resolve("js-tests/npm-ci.log"));
        assertEquals(0, exit, "npm ci failed; see target/js-tests/npm-ci.log");
    }

    /** Runs {@code node --test} on one folder of src/test/js; fails unless it exits 0 with no failure. */
    private static Map<String, Integer> runNodeTests(String folder, Map<String, String> environment, Duration timeout)
            throws Exception {
        Path log = TARGET.resolve("js-tests/" + folder + ".log");
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        if (folder.equals("e2e")) {
            // One file at a time: the browser tests share one server, and one of them restarts it.
            command.add("--test-concurrency=1");
        }
        if (folder.equals("e2e") && !ONLY.isEmpty()) {
            for (String name : ONLY.split(",")) {
                command.add(folder + "/" + name.trim() + ".test.js");
            }
        } else {
            command.add(folder + "/");
        }
        int exit = run(command, environment, timeout, folder, log);
        Map<String, Integer> summary = summary(Files.readString(log));
        System.out.println("[" + folder + "] summary " + summary + " (node " + nodeVersion + ")");
        if (exit != 0 || summary.getOrDefault("fail", 0) > 0 || summary.getOrDefault("cancelled", 0) > 0) {
            fail("JavaScript " + folder + " tests failed (exit " + exit + ", " + summary + "); output in " + log
                    + failingTests(Files.readString(log)));
        }
        return summary;
    }

    /**
     * The spec reporter's closing list of failing tests with their errors, on one line and without stack
     * frames: a build's summary of failures is often all that is left of a run (the log stays on the machine
     * that ran it), and it shows a message's first line.
     */
    private static String failingTests(String output) {
        int start = output.lastIndexOf("failing tests:");
        if (start < 0) {
            return "";
        }
        String failing = output.substring(start).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("at ")).collect(Collectors.joining(" | "));
        return "; " + (failing.length() > FAILURE_EXCERPT ? failing.substring(0, FAILURE_EXCERPT) + " …" : failing);
    }

    /** The closing lines of Node's spec reporter: "ℹ tests 36", "ℹ pass 36", "ℹ fail 0", … */
    private static Map<String, Integer> summary(String output) {
        Map<String, Integer> counts = new HashMap<>();
        Matcher line = Pattern.compile("(?m)^\\S* ?(tests|pass|fail|cancelled|skipped|todo) (\\d+)$").matcher(output);
        while (line.find()) {
            counts.put(line.group(1), Integer.parseInt(line.group(2)));
        }
        return counts;
    }

    /**
     * Runs a command in src/test/js, streaming its output (stdout and stderr) line by line into this test's
     * output and into {@code log}; kills it (and its children: browsers) if it outlives {@code timeout}.
     */
    private static int run(List<String> command, Map<String, String> environment, Duration timeout, String prefix,
                           Path log) throws Exception {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    System.out.println("[" + prefix + "] " + line);
                    out.println(line);
                    out.flush();
                }
            } catch (IOException e) {
                System.out.println("[" + prefix + "] (output lost: " + e + ")");
            }
        }, "js-output-" + prefix);
        pump.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            pump.join(TimeUnit.SECONDS.toMillis(10));
            fail(String.join(" ", command) + " did not finish within " + timeout + "; output in " + log);
        }
        pump.join(TimeUnit.SECONDS.toMillis(30));
        return process.exitValue();
    }

    /** The first line of {@code tool --version}, or null when the tool is missing. */
    private static String version(String tool) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.exitValue() == 0 ? output.lines().reduce((a, b) -> b).orElse("") : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * {@code POST /restart} on 127.0.0.1: kills the server (SIGKILL) and starts it again on the same data,
     * answering 200 once Herald serves again. One restart at a time. Query parameters named
     * {@code herald.*} set those server properties from this restart on ({@code ?herald.allowed-origins=x});
     * an empty value removes one.
     */
    private static final class Control implements AutoCloseable {

        private final HttpServer server;
        private final WildFlyNode node;

        Control(WildFlyNode node) throws IOException {
            this.node = node;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/restart", this::restart);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        private synchronized void restart(HttpExchange exchange) throws IOException {
            int status;
            String body;
            if (!"POST".equals(exchange.getRequestMethod())) {
                status = 405;
                body = "POST only";
            } else {
                try {
                    long started = System.nanoTime();
                    String query = exchange.getRequestURI().getRawQuery();
                    for (String pair : query == null ? new String[0] : query.split("&")) {
                        String[] parts = pair.split("=", 2);
                        String name = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                        String value = parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                        if (!name.startsWith("herald.")) {
                            throw new IllegalArgumentException("not a Herald property: " + name);
                        }
                        if (value.isEmpty()) {
                            node.without(name);
                        } else {
                            node.with(Map.of(name, value));
                        }
                    }
                    node.kill();
                    node.start(Duration.ofMinutes(3));
                    status = 200;
                    body = "restarted in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms";
                } catch (Exception e) {
                    status = 500;
                    body = "restart failed: " + e;
                }
            }
            System.out.println("[control] " + body);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
