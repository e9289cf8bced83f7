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

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rules as configured, and their runbooks. */
@Path("/api/rules")
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
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

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
