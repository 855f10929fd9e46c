package io.herald.it.process;

import io.herald.launch.Trees;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The nginx examples in {@code server-config/nginx/} checked by nginx itself ({@code nginx -t}), as an
 * operator would include them: each is a snippet for the {@code http {}} block, so the test writes a minimal
 * main configuration that includes it, with the pid, logs and temporary files in its own directory. The TLS
 * files the example names are replaced by a self-signed certificate made for the test (keytool), and its log
 * files by files in the test's directory: nginx opens both while it checks. Skipped (with the reason) where
 * nginx is not installed; in CI ({@code CI=true}) a missing nginx fails instead, since {@code .ci/run}
 * installs it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NginxConfigIT {

    private static final String PASSWORD = "nginx-it-password";
    private static final Pattern CERTIFICATE = Pattern.compile("(ssl_certificate\\s+)(\\S+);");
    private static final Pattern CERTIFICATE_KEY = Pattern.compile("(ssl_certificate_key\\s+)(\\S+);");
    private static final Pattern LOG_FILE = Pattern.compile("((?:access|error)_log\\s+)(/[^\\s;]+)");

    private static Path nginx;
    private static Path work;
    private static Path certificate;
    private static Path privateKey;

    @BeforeAll
    static void nginxAndCertificate() throws Exception {
        nginx = Stream.concat(Stream.of(System.getenv("HERALD_NGINX")),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).map(d -> d + "/nginx"))
                .filter(p -> p != null && !p.isBlank())
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                // Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
                .orElse(Files.isExecutable(Path.of("/usr/sbin/nginx")) ? Path.of("/usr/sbin/nginx") : null);
        String reason = "nginx is not installed (not on the PATH, nor /usr/sbin/nginx, nor HERALD_NGINX):"
                + " server-config/nginx/*.conf cannot be checked with nginx -t. Install Debian's nginx-light (.ci/run does).";
        if (nginx == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true: failing instead of skipping)");
        }
        Assumptions.assumeTrue(nginx != null, reason + " SKIPPED.");

        work = Path.of(System.getProperty("herald.war")).getParent().resolve("process-it/nginx");
        Trees.delete(work);
        Files.createDirectories(work);
        selfSignedPem();
    }

    /** A self-signed certificate and its key in PEM files, as nginx reads them, made with the JDK's keytool. */
    private static void selfSignedPem() throws Exception {
        Path keyStore = work.resolve("tls.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "nginx", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=push.example.com", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).redirectOutput(work.resolve("keytool.log").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                "keytool: " + Files.readString(work.resolve("keytool.log")));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Certificate cert = store.getCertificate("nginx");
        Key key = store.getKey("nginx", PASSWORD.toCharArray());
        certificate = Files.writeString(work.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        privateKey = Files.writeString(work.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("server.config.dir"), "nginx"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void nginxAcceptsTheExample(Path example) throws Exception {
        String name = example.getFileName().toString().replace(".conf", "");
        Path dir = Files.createDirectories(work.resolve(name));
        Files.createDirectories(dir.resolve("logs"));
        String text = Files.readString(example);
        text = replace(CERTIFICATE, text, certificate.toString());
        text = replace(CERTIFICATE_KEY, text, privateKey.toString());
        text = replace(LOG_FILE, text, null, dir.resolve("logs"));
        Path snippet = Files.writeString(dir.resolve(example.getFileName()), text);

        List<String> http = new ArrayList<>();
        // The compiled-in temporary directories (/var/lib/nginx/...) may not be writable here; nginx -t
        // creates them.
        http.add("client_body_temp_path " + dir.resolve("body") + ";");
        http.add("proxy_temp_path " + dir.resolve("proxy") + ";");
        String built = nginxSays("-V");
        for (String module : List.of("fastcgi", "uwsgi", "scgi")) {
            if (built.contains("--http-" + module + "-temp-path") && !built.contains("--without-http_" + module + "_module")) {
                http.add(module + "_temp_path " + dir.resolve(module) + ";");
            }
        }
        http.add("include " + snippet + ";");
        Path main = Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("logs/error.log") + ";",
                "events {}",
                "http {",
                "    " + String.join("\n    ", http),
                "}", ""));

        Path output = dir.resolve("nginx-t.log");
        Process check = new ProcessBuilder(nginx.toString(), "-t", "-p", dir.toString(), "-c", main.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "nginx -t did not finish");
        String said = Files.readString(output);
        assertEquals(0, check.exitValue(), "nginx -t refused " + example + ":\n" + said);
        assertFalse(said.contains("[warn]") || said.contains("[emerg]") || said.contains("[alert]"),
                "nginx -t warned about " + example + ":\n" + said);
        assertTrue(said.contains("test is successful"), said);
    }

    private static String replace(Pattern pattern, String text, String with) {
        return replace(pattern, text, with, null);
    }

    /** Replaces the path each match names by {@code with}, or by a file of that name in {@code dir}. */
    private static String replace(Pattern pattern, String text, String with, Path dir) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String path = with != null ? with : dir.resolve(Path.of(m.group(2)).getFileName()).toString();
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + path + (with != null ? ";" : "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String nginxSays(String flag) throws Exception {
        Process process = new ProcessBuilder(nginx.toString(), flag).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return text;
    }
}
