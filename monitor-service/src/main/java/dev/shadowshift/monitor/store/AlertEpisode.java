package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.Map;

/** One firing episode of one alert (one fingerprint): the alert history. */
@Entity
@Table(name = "alert_history")
public class AlertEpisode extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String fingerprint;
    public String series;
    public String alertname;
    public String target;
    public String severity;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> labels;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> annotations;
    @Column(name = "starts_at")
    public Instant startsAt;
    @Column(name = "ends_at")
    public Instant endsAt;
}
