package dev.shadowshift.monitor;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's {@code prometheus-alertmanager}, started on a free port with a route that notifies nobody, for the
 * monitor to post its alerts to. Without the binary the test is skipped ({@code .ci/run} installs it).
 */
public class AlertmanagerProfile implements QuarkusTestProfile {

    static final String BINARY = "/usr/bin/prometheus-alertmanager";
    static volatile String url;

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RealAlertmanager.class));
    }

    static boolean installed() {
        return Files.isExecutable(Path.of(BINARY));
    }

    public static class RealAlertmanager implements QuarkusTestResourceLifecycleManager {

        private Process process;

        @Override
        public Map<String, String> start() {
            if (!installed()) {
                return Map.of();
            }
            try {
                Path dir = Files.createTempDirectory("shadowshift-alertmanager-");
                Path config = dir.resolve("alertmanager.yml");
                Files.writeString(config, """
                        route:
                          receiver: nobody
                          group_wait: 1s
                        receivers:
                          - name: nobody
                        """);
                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                process = new ProcessBuilder(BINARY, "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
                url = "http://127.0.0.1:" + port;
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!ready(url)) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IllegalStateException("Alertmanager did not become ready; see " + dir.resolve("alertmanager.log"));
                    }
                    Thread.sleep(200);
                }
                return Map.of("shadowshift.monitor.alertmanager.url", url);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start Alertmanager: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static boolean ready(String base) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(base + "/-/ready").toURL().openConnection();
                c.setConnectTimeout(1000);
                return c.getResponseCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void stop() {
            if (process != null) {
                process.destroy();
            }
        }
    }
}
