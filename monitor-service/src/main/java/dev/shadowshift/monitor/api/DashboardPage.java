package dev.shadowshift.monitor.api;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard also answers at /dashboard (it is served at / as a static resource). One page, with uPlot from the
 * service's own webjar, kept live by /api/stream.
 */
@Path("/dashboard")
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class DashboardPage {

    private static final String PAGE = load();

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Tag(name = "Dashboard")
    @Operation(summary = "Live dashboard", description = "HTML page with firing alerts and silences, charts of each target "
            + "(connections, TPS, lock waits, replication lag) and of each migration (progress, rows per second, impact on "
            + "writers), and the alert history, live over /api/stream; loads nothing from elsewhere. Also served at /.")
    public String page() {
        return PAGE;
    }

    private static String load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream("/META-INF/resources/index.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard page index.html is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
