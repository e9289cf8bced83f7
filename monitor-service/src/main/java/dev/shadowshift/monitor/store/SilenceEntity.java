package dev.shadowshift.monitor.store;

import dev.shadowshift.monitor.alerting.Silence;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "silences")
public class SilenceEntity extends PanacheEntityBase {

    @Id
    public UUID id;
    /** The reactive driver maps JSON objects, not arrays: hence the wrapper. */
    public record Matchers(List<Silence.Matcher> matchers) {
    }

    @JdbcTypeCode(SqlTypes.JSON)
    public Matchers matchers;
    @Column(name = "starts_at")
    public Instant startsAt;
    @Column(name = "ends_at")
    public Instant endsAt;
    @Column(name = "created_by")
    public String createdBy;
    public String comment;
    @Column(name = "created_at")
    public Instant createdAt;

    public Silence toSilence() {
        return new Silence(id, matchers.matchers(), startsAt, endsAt, createdBy, comment);
    }

    public static SilenceEntity of(Silence s, Instant now) {
        SilenceEntity e = new SilenceEntity();
        e.id = s.id();
        e.matchers = new Matchers(s.matchers());
        e.startsAt = s.startsAt();
        e.endsAt = s.endsAt();
        e.createdBy = s.createdBy();
        e.comment = s.comment();
        e.createdAt = now;
        return e;
    }
}
