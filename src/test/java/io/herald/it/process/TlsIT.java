package io.herald.it.process;

import io.herald.launch.Trees;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS set-ups of {@code server-config/} executed as an operator runs them: a self-signed certificate
 * made with keytool, {@code wildfly/tls.cli} applied to a running WildFly and the options that
 * {@code payara/tls.asadmin} documents given to Payara Micro; then {@code https://} and {@code wss://}
 * work, trusting that certificate.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TlsIT {

    private static final String PASSWORD = "tls-it-password";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Path work;
    private static Path keyStore;
    private static SSLContext trusting;

    @BeforeAll
    static void certificate() throws Exception {
        work = Path.of(System.getProperty("herald.war")).getParent().resolve("process-it/tls");
        Trees.delete(work);
        Files.createDirectories(work);
        keyStore = work.resolve("herald.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "herald", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).redirectOutput(work.resolve("keytool.log").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                "keytool: " + Files.readString(work.resolve("keytool.log")));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, factory.getTrustManagers(), null);
    }

    @Test
    void wildFlyServesHttpsAndWssWithTheCliScript() throws Exception {
        int offset = 2600;
        Path base = work.resolve("wildfly");
        try (WildFlyNode node = WildFlyNode.prepare(base, offset, Map.of("HERALD_TLS_PASSWORD", PASSWORD), Map.of())) {
            Files.copy(keyStore, base.resolve("configuration/herald.p12"));
            node.start(Duration.ofMinutes(3));
            Path home = Path.of(System.getProperty("wildfly.home"));
            Path log = base.resolve("tls-cli.log");
            // As tls.cli's header says to run it (with the time its reload may take to come back).
            Process cli = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(), "-c", "--timeout=120000",
                    "--controller=127.0.0.1:" + (9990 + offset),
                    "--file=" + Path.of(System.getProperty("server.config.dir"), "wildfly", "tls.cli"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(cli.waitFor(3, TimeUnit.MINUTES) && cli.exitValue() == 0, "tls.cli: " + Files.readString(log));
            secure(8443 + offset, "/herald/");
        }
    }

    @Test
    void payaraMicroServesHttpsAndWssWithTheDocumentedOptions() throws Exception {
        int port = 10680;
        int sslPort = 10683;
        try (PayaraNode node = new PayaraNode(work.resolve("payara"), port, Map.of(),
                List.of("-Djavax.net.ssl.keyStore=" + keyStore, "-Djavax.net.ssl.keyStorePassword=" + PASSWORD),
                List.of("--sslport", String.valueOf(sslPort), "--sslCert", "herald"))) {
            node.start(Duration.ofMinutes(3));
            secure(sslPort, "/herald/");
        }
    }

    /** https:// answers with the test key, and a wss:// client gets its welcome, both trusting only our certificate. */
    private static void secure(int port, String context) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(10)).build();
        URI https = URI.create("https://127.0.0.1:" + port + context + "api/stats");
        HttpResponse<String> stats = awaitAnswer(client, https);
        assertEquals(200, stats.statusCode(), stats.body());
        assertTrue(stats.body().contains("\"clients\""), stats.body());

        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("wss://127.0.0.1:" + port + context + "ws?uid=tls-alice"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        String welcome = first.get(30, TimeUnit.SECONDS);
        assertTrue(welcome.contains("\"type\":\"welcome\"") && welcome.contains("tls-alice"), welcome);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    /** The HTTPS listener may come up a moment after the server answers on HTTP (WildFly reloads). */
    private static HttpResponse<String> awaitAnswer(HttpClient client, URI uri) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos() * 4;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer test-key").timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 404 && response.statusCode() != 503) {
                    return response;
                }
            } catch (java.io.IOException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no answer on " + uri + " within " + WAIT.multipliedBy(4), last);
    }
}
