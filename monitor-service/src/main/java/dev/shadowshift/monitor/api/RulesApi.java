package dev.shadowshift.monitor.api;

import dev.shadowshift.monitor.poll.TargetPoller;
import dev.shadowshift.monitor.rules.Rule;
import dev.shadowshift.monitor.rules.RuleBook;
import dev.shadowshift.monitor.rules.RuleSettings;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rules as configured, and their runbooks. */
@Path("/")
public class RulesApi {

    /** One rule with its effective settings, written in its unit. */
    public record RuleView(String alertname, boolean enabled, String unit, String warning, String critical, String forPeriod,
                           Map<String, String> extras, String measures, String runbookUrl) {
    }

    private final RuleBook book;

    public RulesApi(TargetPoller poller) {
        this.book = poller.rules().book();
    }

    @GET
    @Path("/api/rules")
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = "Rules")
    @Operation(summary = "Alert rules and their effective thresholds")
    public List<RuleView> rules() {
        return Arrays.stream(Rule.values()).map(r -> {
            RuleSettings s = book.of(r);
            Map<String, String> extras = new LinkedHashMap<>();
            RuleBook.EXTRAS.getOrDefault(r, List.of()).forEach(e -> extras.put(e.name(), e.unit().format(s.extra(e.name()))));
            return new RuleView(r.alertname(), s.enabled(), r.unit.name().toLowerCase(),
                    s.warning() == null ? null : r.unit.format(s.warning()), s.critical() == null ? null : r.unit.format(s.critical()),
                    s.forPeriod().toString(), extras, r.measures, "runbooks#" + r.alertname());
        }).toList();
    }

    @GET
    @Path("/runbooks")
    @Produces(MediaType.TEXT_HTML)
    @Tag(name = "Rules")
    @Operation(summary = "Runbooks", description = "What each alert means and what to do; alerts link here as runbook_url.")
    public String runbooks() {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Shadowshift monitor runbooks</title>
                <style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:20px auto;padding:0 16px;color:#1d2330}
                h2{font-size:17px;margin-top:28px}code{background:#eef0f3;padding:0 4px;border-radius:3px}
                .k{color:#5a6272}</style></head><body><h1>Shadowshift monitor runbooks</h1>
                <p>Every alert names its rule in <code>alertname</code> and links to its entry here.</p>
                """);
        for (Rule r : Rule.values()) {
            RuleSettings s = book.of(r);
            html.append("<h2 id=\"").append(r.alertname()).append("\">").append(r.alertname()).append("</h2>")
                    .append("<p class=\"k\">").append(escape(r.measures)).append(". ")
                    .append(escape(r.hasThresholds() ? s.levels() : "always " + r.fixedSeverity.label()))
                    .append(s.forPeriod().isZero() ? "" : "; fires after holding for " + s.forPeriod().toString().substring(2).toLowerCase())
                    .append(s.enabled() ? "" : " (disabled)").append(".</p><p>").append(escape(r.runbook)).append("</p>");
        }
        return html.append("</body></html>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
