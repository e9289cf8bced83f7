package dev.shadowshift.monitor.api;

import jakarta.annotation.security.PermitAll;
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

/** The runbooks: what each alert means and what to do; alerts link here as runbook_url. */
@Path("/runbooks")
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class RunbookPage {

    private final RuleBook book;

    public RunbookPage(TargetPoller poller) {
        this.book = poller.rules().book();
    }

    @GET
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
                    .append("<p class=\"k\">").append(RulesApi.escape(r.measures)).append(". ")
                    .append(RulesApi.escape(r.hasThresholds() ? s.levels() : "always " + r.fixedSeverity.label()))
                    .append(s.forPeriod().isZero() ? "" : "; fires after holding for " + s.forPeriod().toString().substring(2).toLowerCase())
                    .append(s.enabled() ? "" : " (disabled)").append(".</p><p>").append(RulesApi.escape(r.runbook)).append("</p>");
        }
        return html.append("</body></html>").toString();
    }

}
