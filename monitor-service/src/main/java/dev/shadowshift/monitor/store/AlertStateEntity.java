package dev.shadowshift.monitor.store;

import dev.shadowshift.monitor.alerting.SeriesState;
import dev.shadowshift.monitor.rules.Severity;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.Map;

/** One alert series while it is pending, firing or owed to consumers (see {@link SeriesState}). */
@Entity
@Table(name = "alert_state")
public class AlertStateEntity extends PanacheEntityBase {

    @Id
    public String series;
    public String alertname;
    public String target;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> identity;
    @Column(name = "info_since")
    public Instant infoSince;
    @Column(name = "warning_since")
    public Instant warningSince;
    @Column(name = "critical_since")
    public Instant criticalSince;
    public String firing;
    @Column(name = "fired_at")
    public Instant firedAt;
    public String sent;
    @Column(name = "sent_starts_at")
    public Instant sentStartsAt;
    @Column(name = "last_sent_at")
    public Instant lastSentAt;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> annotations;
    public double value;
    public Double threshold;
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;
    @Column(name = "suppressed_by")
    public String suppressedBy;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public SeriesState toState() {
        return new SeriesState(series, alertname, target, identity, infoSince, warningSince, criticalSince, severity(firing),
                firedAt, severity(sent), sentStartsAt, lastSentAt, annotations == null ? Map.of() : annotations, value,
                threshold, lastSeenAt, suppressedBy);
    }

    public AlertStateEntity set(SeriesState s, Instant now) {
        series = s.series();
        alertname = s.alertname();
        target = s.target();
        identity = s.identity();
        infoSince = s.infoSince();
        warningSince = s.warningSince();
        criticalSince = s.criticalSince();
        firing = label(s.firing());
        firedAt = s.firedAt();
        sent = label(s.sent());
        sentStartsAt = s.sentStartsAt();
        lastSentAt = s.lastSentAt();
        annotations = s.annotations();
        value = s.value();
        threshold = s.threshold();
        lastSeenAt = s.lastSeenAt();
        suppressedBy = s.suppressedBy();
        updatedAt = now;
        return this;
    }

    private static Severity severity(String label) {
        return label == null ? null : Severity.ofLabel(label);
    }

    private static String label(Severity s) {
        return s == null ? null : s.label();
    }
}
