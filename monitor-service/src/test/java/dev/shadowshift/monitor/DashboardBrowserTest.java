package dev.shadowshift.monitor;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven through chromedriver. It checks what a person
 * looking at the page would: the charts are drawn, and an alert that starts firing shows up without a reload.
 * Skipped when /usr/bin/chromedriver is absent ({@code .ci/run} installs chromium and chromium-driver).
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class DashboardBrowserTest {

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ChromeDriver browser;
    private static Path profile;

    @TestHTTPResource("/")
    URL dashboard;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeAll
    static void startBrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        profile = Files.createTempDirectory("shadowshift-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // the machine has no network beyond loopback: nothing of Chromium's own may try to phone home
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,2000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @Test
    void theChartsDrawAndAFiringAlertAppearsWithoutAReload() throws Exception {
        String planId = "plan-" + UUID.randomUUID();
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PLANNED, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new dev.shadowshift.contracts.events.MigrationPlanned(planId, "shop", 5,
                        "main", "public", "SHADOW_TABLE", "AWAITING_BACKUP", true, java.util.List.of("public.browsed"), "HIGH",
                        200_000, java.util.List.of(), java.util.List.of()))));
        send(planId, new MigrationProgress(planId, "main", "RUNNING", "SHADOW", 1, 4, "copying public.browsed", 20_000L,
                200_000L, 4000.0, 45L));
        send(planId, new MigrationProgress(planId, "main", "RUNNING", "SHADOW", 1, 4, "copying public.browsed", 60_000L,
                200_000L, 8000.0, 18L));

        browser.get(dashboard.toString());
        js("window.loadedOnce = 'yes'");
        WebDriverWait wait = new WebDriverWait(browser, WAIT);

        // every target chart has a canvas uPlot drew into: a few polls in, with lines on it
        wait.until(d -> Boolean.TRUE.equals(js("""
                const charts = document.querySelectorAll('#target-charts [data-chart]');
                return charts.length >= 4 && Array.from(charts).every(c => c.querySelector('canvas'));""")));
        wait.until(d -> points("conn-main") >= 3 && ((Number) js(inked("conn-main"))).longValue() > 0);
        // the plan's progress next to its impact on writers
        wait.until(d -> points("progress-" + planId) == 2 && ((Number) js(inked("progress-" + planId))).longValue() > 0);
        assertEquals(1L, js("return document.querySelectorAll('[data-chart=\"impact-" + planId + "\"] canvas').length"));
        // the table follows the same events as the chart, redrawn on its own tick
        wait.until(d -> d.findElement(By.id("migrations")).getText().contains("30% · step 1/4"));

        String alertRow = "#alerts tr[data-plan='" + planId + "']";
        assertTrue(browser.findElements(By.cssSelector(alertRow)).isEmpty(), "nothing fires for the plan yet");
        // an alert that starts firing now: a writer of the plan's table waits behind the worker's lock
        // (migration_impact; its plan_id makes it this test's own alert)
        Target.sql("CREATE TABLE public.browsed(id bigint PRIMARY KEY)");
        Thread blocked = new Thread(() -> {
            try {
                Target.sql("INSERT INTO public.browsed VALUES (1)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "dashboard-blocked-writer");
        blocked.setDaemon(true);
        try (Connection worker = Target.asWorker();
             Statement w = worker.createStatement()) {
            worker.setAutoCommit(false);
            w.execute("LOCK TABLE public.browsed IN ACCESS EXCLUSIVE MODE");
            blocked.start();
            wait.until(d -> !d.findElements(By.cssSelector(alertRow)).isEmpty());
            assertEquals("yes", js("return window.loadedOnce"), "the alert came in over the stream, not with a reload");
            String row = browser.findElement(By.cssSelector(alertRow)).getText();
            assertTrue(row.contains("migration_impact") && row.contains("for a lock on public.browsed"), row);
            worker.commit();
        } finally {
            blocked.join(10_000);
            send(planId, new MigrationProgress(planId, "main", "COMPLETED", "CUTOVER", 4, 4, "done", 200_000L, 200_000L,
                    null, 0L));
            Target.sql("DROP TABLE IF EXISTS public.browsed");
        }
    }

    /** How many points the chart holds (its x values). */
    private long points(String chart) {
        Object n = js("const c = window.shadowshiftCharts.get('" + chart + "'); return c ? c.plot.data[0].length : -1");
        return ((Number) n).longValue();
    }

    /** How many pixels of a chart's canvas are not blank. */
    private static String inked(String chart) {
        return """
                const canvas = document.querySelector('[data-chart="%s"] canvas');
                if (!canvas || !canvas.width) return 0;
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let inked = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
                return inked;""".formatted(chart);
    }

    private void send(String planId, MigrationProgress p) {
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId,
                EventCodec.write(EventCodec.create("/shadowshift/migration-worker", planId, p)));
    }
}
