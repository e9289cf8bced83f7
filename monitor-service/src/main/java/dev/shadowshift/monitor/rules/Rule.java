package dev.shadowshift.monitor.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every alert rule the monitor knows: its name (the alert's {@code alertname} and its configuration key
 * {@code shadowshift.monitor.rules.<name>.*}), what its thresholds measure, their defaults, and the runbook an on-call
 * engineer reads. The README's rule table and the served runbook page are made from this list.
 *
 * <p>Defaults follow what on-call teams already run (postgres_exporter's mixin, the awesome-prometheus-alerts
 * PostgreSQL set, check_postgres), set so that a healthy production database does not page anyone. Critical means
 * "act now": migration-worker also pauses its backfills on a critical alert of their target, so slow-burning
 * conditions (bloat, stale statistics, unused indexes, old backups) have no critical level by default.
 */
public enum Rule {

    TARGET_UNREACHABLE(Unit.NONE, Direction.ABOVE, null, null, "0s", Severity.CRITICAL, Source.POLL,
            "a poll cannot connect to the target or read its statistics; inhibits the target's other alerts",
            "Check that the server is up and accepts connections from the monitor (pg_isready, pg_hba.conf, "
                    + "max_connections). While this fires, the target's other alerts are held back: nothing else about "
                    + "it is known."),
    CONNECTION_SATURATION(Unit.FRACTION, Direction.ABOVE, "0.8", "0.95", "1m", null, Source.POLL,
            "client connections in use / max_connections",
            "Look for idle sessions holding slots (pg_stat_activity grouped by application_name and state), a "
                    + "connection leak in an application, or a missing pooler (PgBouncer). New clients fail once it is "
                    + "full; superuser_reserved_connections keep a way in for you."),
    LONG_RUNNING_QUERY(Unit.DURATION, Direction.ABOVE, "5m", "30m", "0s", null, Source.POLL,
            "age of the oldest active query on the target database",
            "Find the pid in the description in pg_stat_activity. Decide with its owner whether to wait, "
                    + "pg_cancel_backend(pid) (cancels the query) or pg_terminate_backend(pid) (ends the session)."),
    IDLE_IN_TRANSACTION(Unit.DURATION, Direction.ABOVE, "5m", "30m", "0s", null, Source.POLL,
            "how long the oldest session has been idle inside an open transaction",
            "The session holds its locks and its snapshot, so vacuum cannot remove dead rows and other writers may "
                    + "queue behind it. Ask the application's owner; pg_terminate_backend(pid) rolls it back. Setting "
                    + "idle_in_transaction_session_timeout prevents it."),
    BLOCKED_QUERIES(Unit.DURATION, Direction.ABOVE, "30s", "5m", "0s", null, Source.POLL,
            "how long the longest lock wait has lasted, with the blocking pid",
            "The description names the waiting pid and the pids blocking it (pg_blocking_pids). Look at what the "
                    + "blocker runs and whether it is idle in transaction; ending the blocker releases every waiter."),
    DEADLOCKS(Unit.COUNT, Direction.ABOVE, "0", "10", "0s", null, Source.POLL,
            "new deadlocks in pg_stat_database since the previous poll (fires above the threshold)",
            "The server log has both statements of each deadlock (log_lock_waits helps too). Deadlocks come from "
                    + "transactions locking the same rows in different orders: make them lock in one order."),
    ROLLBACK_RATIO(Unit.FRACTION, Direction.ABOVE, "0.1", "0.3", "5m", null, Source.POLL,
            "rolled-back / all transactions since the previous poll",
            "Many rollbacks mean failing statements or an application that aborts on purpose. The server log "
                    + "(log_min_error_statement) shows the errors."),
    CACHE_HIT_RATIO(Unit.FRACTION, Direction.BELOW, "0.95", "0.8", "5m", null, Source.POLL,
            "share of block reads served from shared_buffers since the previous poll (fires below the threshold)",
            "The working set no longer fits in shared_buffers, or a query scans a large table. Look at "
                    + "pg_stat_statements ordered by shared_blks_read; consider an index or more memory."),
    TEMP_FILES(Unit.BYTES, Direction.ABOVE, "100M", "1G", "0s", null, Source.POLL,
            "bytes written to temporary files since the previous poll",
            "Sorts and hashes that do not fit in work_mem spill to disk. Find them with pg_stat_statements "
                    + "(temp_blks_written) or log_temp_files; raise work_mem for them or add an index."),
    SLOW_QUERIES(Unit.DURATION, Direction.ABOVE, "500ms", "5s", "0s", null, Source.POLL,
            "mean execution time of a statement since the previous poll (pg_stat_statements; the label is its queryid)",
            "SELECT query FROM pg_stat_statements WHERE queryid = <queryid>, then EXPLAIN (ANALYZE, BUFFERS) it. "
                    + "Without the pg_stat_statements extension this rule reports, at severity info, that it cannot see "
                    + "statements: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements."),
    DEAD_TUPLE_RATIO(Unit.FRACTION, Direction.ABOVE, "0.2", null, "0s", null, Source.POLL,
            "dead / (live + dead) tuples of a table with at least min-dead-tuples dead tuples",
            "Autovacuum is behind or blocked (a long transaction, an inactive replication slot or a prepared "
                    + "transaction holds back the xmin horizon). Run VACUUM (VERBOSE) on the table to see why."),
    TABLE_NOT_VACUUMED(Unit.DURATION, Direction.ABOVE, "7d", null, "0s", null, Source.POLL,
            "time since the last (auto)vacuum of a table with at least min-dead-tuples dead tuples",
            "Check autovacuum is on for the table (reloptions) and not cancelled by locks; VACUUM it by hand."),
    TABLE_NOT_ANALYZED(Unit.DURATION, Direction.ABOVE, "7d", null, "0s", null, Source.POLL,
            "time since the last (auto)analyze of a table with at least min-modified-rows changes since",
            "Stale statistics give bad plans. ANALYZE the table; lower autovacuum_analyze_scale_factor for big tables."),
    INVALID_INDEX(Unit.NONE, Direction.ABOVE, null, null, "0s", Severity.WARNING, Source.POLL,
            "an index left invalid, typically by a failed CREATE INDEX CONCURRENTLY (builds in progress are ignored)",
            "The index costs writes and serves no reads. DROP INDEX CONCURRENTLY it and build it again, or REINDEX "
                    + "INDEX CONCURRENTLY."),
    UNUSED_INDEX(Unit.DURATION, Direction.ABOVE, "7d", null, "0s", null, Source.SLOW_POLL,
            "how long a non-unique index of at least min-size has gone without a scan (since statistics began)",
            "An index nobody reads still costs every write. Check replicas too (their scans are counted there), "
                    + "then DROP INDEX CONCURRENTLY."),
    SEQUENCE_EXHAUSTION(Unit.FRACTION, Direction.ABOVE, "0.75", "0.9", "0s", null, Source.SLOW_POLL,
            "share of the range used by a sequence, bounded by the type of the column it feeds",
            "Once the range is used up inserts fail. Widen the column and the sequence (integer to bigint: a shadow "
                    + "migration) before it runs out."),
    XID_WRAPAROUND(Unit.COUNT, Direction.ABOVE, "1000000000", "1500000000", "0s", null, Source.POLL,
            "transaction age of the database (age(datfrozenxid)); the description names the oldest table",
            "At about 2 billion the server stops accepting writes. Find what holds back freezing (long transactions, "
                    + "inactive slots, prepared transactions) and VACUUM (FREEZE) the oldest tables."),
    REPLICATION_LAG(Unit.DURATION, Direction.ABOVE, "30s", "5m", "1m", null, Source.POLL,
            "replay lag of each standby (on a primary) or of this server (on a standby)",
            "Check the standby's disk and CPU, the network, and long queries on the standby that conflict with "
                    + "replay (max_standby_streaming_delay)."),
    REPLICATION_SLOT_INACTIVE(Unit.BYTES, Direction.ABOVE, "1G", "10G", "5m", null, Source.POLL,
            "WAL kept by a replication slot that nobody is using",
            "An inactive slot keeps WAL (and, for logical slots, the xmin horizon) until the disk is full. Restart its "
                    + "consumer, or pg_drop_replication_slot it if nobody will come back for it."),
    DATABASE_SIZE_GROWTH(Unit.FRACTION, Direction.ABOVE, "0.2", "0.5", "0s", null, Source.SLOW_POLL,
            "growth of the database's size over the window, once it grew by at least min-growth",
            "Find the tables that grew (pg_total_relation_size), check for runaway inserts, bloat or a failed "
                    + "cleanup job, and how much disk is left."),
    BACKUP_TOO_OLD(Unit.DURATION, Direction.ABOVE, "7d", null, "0s", null, Source.EVENTS,
            "time since the newest backup-completed event for the target (targets with no backup seen do not fire)",
            "Shadowshift backs up what a risky plan touches; older backups may have expired. Take one on demand "
                    + "through backup-worker if you need a restore point."),
    BACKUP_FAILED(Unit.NONE, Direction.ABOVE, null, null, "0s", Severity.WARNING, Source.EVENTS,
            "a backup-failed event for the target, until the next backup-completed for it",
            "The plan that asked for the backup does not proceed. The description carries backup-worker's reason "
                    + "(disk full, pg_dump version, permissions)."),
    MIGRATION_STALLED(Unit.DURATION, Direction.ABOVE, "10m", "30m", "0s", null, Source.EVENTS,
            "time since the last migration-progress event of a running plan",
            "Check migration-worker's log and health, and pg_stat_activity for its sessions (a lock wait, a throttle "
                    + "on a critical alert). A plan that resumes reports progress again and the alert resolves."),
    MIGRATION_IMPACT(Unit.DURATION, Direction.ABOVE, "250ms", "1s", "0s", null, Source.POLL,
            "while a plan runs, the longest a writer of its tables waits: a lock wait on them (or behind the worker's "
                    + "sessions), or the mean time per call of a statement writing to them since the previous poll "
                    + "(pg_stat_statements)",
            "The migration is hurting the application. At critical, migration-worker pauses the plan's backfill by "
                    + "itself until the alert resolves; the description says what the writers wait for (a lock held by the "
                    + "worker, the capture trigger's cost, a cutover queued behind a long transaction) and shows the "
                    + "worker's own sessions and the replication lag. If it keeps firing, lower "
                    + "shadowshift.migration.shadow.batch-time-target or run the plan at a quieter time.");

    /** Where the rule's input comes from. */
    public enum Source {
        /** every poll of the target */
        POLL,
        /** the polls that also read the slow-moving, costly views (every {@code slow-poll-interval}) */
        SLOW_POLL,
        /** events the monitor consumes */
        EVENTS
    }

    /** Whether a value above the threshold is bad (most rules) or below it (cache hit ratio). */
    public enum Direction {
        ABOVE, BELOW
    }

    public final Unit unit;
    public final Direction direction;
    public final String defaultWarning;
    public final String defaultCritical;
    public final String defaultFor;
    /** the severity of a rule without thresholds */
    public final Severity fixedSeverity;
    public final Source source;
    public final String measures;
    public final String runbook;

    Rule(Unit unit, Direction direction, String defaultWarning, String defaultCritical, String defaultFor,
         Severity fixedSeverity, Source source, String measures, String runbook) {
        this.unit = unit;
        this.direction = direction;
        this.defaultWarning = defaultWarning;
        this.defaultCritical = defaultCritical;
        this.defaultFor = defaultFor;
        this.fixedSeverity = fixedSeverity;
        this.source = source;
        this.measures = measures;
        this.runbook = runbook;
    }

    /** The alertname and configuration key, e.g. {@code idle_in_transaction}. */
    public String alertname() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Counts fire above their threshold ("more than 0 new deadlocks"); durations, fractions and sizes at or above it;
     * a BELOW rule below it.
     */
    public boolean crosses(double value, double threshold) {
        if (direction == Direction.BELOW) {
            return value < threshold;
        }
        return unit == Unit.COUNT ? value > threshold : value >= threshold;
    }

    public boolean hasThresholds() {
        return unit != Unit.NONE;
    }

    public static Optional<Rule> of(String alertname) {
        return Arrays.stream(values()).filter(r -> r.alertname().equals(alertname)).findFirst();
    }

    public static List<Rule> from(Source source) {
        return Arrays.stream(values()).filter(r -> r.source == source).toList();
    }
}
