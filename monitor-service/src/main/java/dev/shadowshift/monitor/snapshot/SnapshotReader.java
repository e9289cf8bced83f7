package dev.shadowshift.monitor.snapshot;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only part of the monitor that knows the pg_stat views. One poll is a handful of statements on one pooled
 * connection, each narrowed down on the server to the rows a rule could care about, so that the cost stays flat
 * however many tables the target has. Never fails: a target that cannot be read is an {@link PollResult.Unreachable}.
 *
 * <p>What a poll reads, and the limits that keep it cheap:
 * <ul>
 *   <li>pg_stat_database, pg_settings, the standby's replay position: one row;</li>
 *   <li>pg_stat_activity: client backends by state (server-wide), and the non-idle ones on this database, oldest
 *       first, at most {@value #MAX_SESSIONS}, with their lock waits (pg_locks) and blockers;</li>
 *   <li>the user tables with the most dead tuples or changes since analyze, at most {@value #MAX_TABLES} (their
 *       statistics come straight from pg_stat_get_* rather than the pg_stat_user_tables view, which also sums the
 *       index scans of every table);</li>
 *   <li>invalid indexes that no build in progress explains; inactive replication slots; standbys;</li>
 *   <li>pg_stat_statements totals of this database without the query texts, at most {@value #MAX_STATEMENTS};</li>
 *   <li>on slow polls only: the database size, sequences near their limit and unused indexes.</li>
 * </ul>
 */
@ApplicationScoped
public class SnapshotReader {

    private static final Logger LOG = Logger.getLogger(SnapshotReader.class);

    static final int MAX_SESSIONS = 200;
    static final int MAX_TABLES = 500;
    static final int MAX_STATEMENTS = 1000;
    static final int MAX_OBJECTS = 200;
    /** pg_stat_activity.query is itself capped by track_activity_query_size (1 kB by default). */
    private static final int MAX_QUERY_CHARS = 2000;

    /** What the slow reads and the conditional ones need to know of the rules' thresholds. */
    public record Cutoffs(double sequenceFraction, long unusedIndexBytes, long xidAge) {
    }

    static final String DATABASE = """
            SELECT current_setting('max_connections')::int,
                   pg_is_in_recovery(),
                   coalesce((SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
                             FROM pg_roles WHERE rolname = current_user), false),
                   d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.temp_files, d.temp_bytes, d.deadlocks,
                   coalesce(d.stats_reset, pg_postmaster_start_time()),
                   age(db.datfrozenxid)::bigint,
                   EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'),
                   CASE WHEN pg_is_in_recovery() THEN
                       CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
                            THEN 0::float8
                            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END
                   END
            FROM pg_stat_database d JOIN pg_database db ON db.oid = d.datid
            WHERE d.datname = current_database()""";

    static final String CONNECTIONS = """
            SELECT coalesce(state, 'unknown'), count(*)::int
            FROM pg_stat_activity WHERE backend_type = 'client backend'
            GROUP BY 1 ORDER BY 1""";

    /** Lock waits come from pg_locks once (a CTE), not once per session. */
    static final String SESSIONS = """
            WITH waits AS (
                SELECT l.pid, min(l.waitstart) AS since, min(n.nspname || '.' || c.relname) AS relation
                FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT l.granted GROUP BY l.pid)
            SELECT a.pid, a.usename, a.application_name, a.state,
                   coalesce(extract(epoch FROM clock_timestamp() - a.query_start)::float8, 0),
                   coalesce(extract(epoch FROM clock_timestamp() - a.state_change)::float8, 0),
                   a.wait_event_type, left(a.query, $1),
                   CASE WHEN w.pid IS NOT NULL
                        THEN extract(epoch FROM clock_timestamp() - coalesce(w.since, a.state_change))::float8 END,
                   CASE WHEN w.pid IS NOT NULL THEN pg_blocking_pids(a.pid) END,
                   w.relation
            FROM pg_stat_activity a LEFT JOIN waits w ON w.pid = a.pid
            WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND a.datname = current_database()
              AND a.state IS NOT NULL AND a.state <> 'idle'
            ORDER BY coalesce(a.xact_start, a.query_start) NULLS LAST
            LIMIT $2""";

    /** OFFSET 0 keeps the subquery whole, so each pg_stat_get_* function runs once per table, not once per use. */
    static final String TABLES = """
            SELECT n.nspname, c.relname, pg_stat_get_live_tuples(t.oid), t.dead, t.modified,
                   greatest(pg_stat_get_last_vacuum_time(t.oid), pg_stat_get_last_autovacuum_time(t.oid)),
                   greatest(pg_stat_get_last_analyze_time(t.oid), pg_stat_get_last_autoanalyze_time(t.oid))
            FROM (SELECT oid, dead, modified FROM (
                      SELECT c.oid, pg_stat_get_dead_tuples(c.oid) AS dead, pg_stat_get_mod_since_analyze(c.oid) AS modified
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND n.nspname !~ '^pg_toast' OFFSET 0) x
                  WHERE dead > 0 OR modified > 0
                  ORDER BY greatest(dead, modified) DESC LIMIT $1) t
            JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace
            ORDER BY t.dead DESC, n.nspname, c.relname""";

    /** A concurrent build in progress also leaves its index invalid: those are not findings. */
    static final String INVALID_INDEXES = """
            SELECT n.nspname, ic.relname, tc.relname
            FROM (SELECT indexrelid, indrelid FROM pg_index WHERE NOT indisvalid OFFSET 0) i
                 JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
                 JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                              WHERE p.index_relid = i.indexrelid OR (p.relid = i.indrelid AND p.index_relid = 0))
            ORDER BY 1, 2 LIMIT $1""";

    static final String OLDEST_TABLE = """
            SELECT c.oid::regclass::text, age(c.relfrozenxid)::bigint FROM pg_class c
            WHERE c.relkind IN ('r', 'm', 't') ORDER BY age(c.relfrozenxid) DESC LIMIT 1""";

    static final String STANDBYS = """
            SELECT coalesce(nullif(application_name, ''), 'pid ' || pid), client_addr::text, state,
                   extract(epoch FROM replay_lag)::float8,
                   pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
                                   replay_lsn)::bigint
            FROM pg_stat_replication ORDER BY 1 LIMIT $1""";

    /** Physical slots are the whole server's; logical slots belong to one database. */
    static final String INACTIVE_SLOTS = """
            SELECT slot_name, slot_type, database,
                   coalesce(pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                                 ELSE pg_current_wal_lsn() END, restart_lsn)::bigint, 0),
                   wal_status
            FROM pg_replication_slots
            WHERE NOT active AND restart_lsn IS NOT NULL AND (database IS NULL OR database = current_database())
            ORDER BY 1 LIMIT $1""";

    /** Totals only (showtext false): the texts of every statement are a file the server would read on each poll. */
    static final String STATEMENTS = """
            SELECT queryid, sum(calls)::bigint, sum(total_exec_time)::float8
            FROM pg_stat_statements(false)
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
            GROUP BY queryid ORDER BY 3 DESC LIMIT $1""";

    /**
     * The statements that write to a running plan's tables, with their texts: read only while a plan runs on the
     * target. The server narrows them down by verb and table name ($1: ILIKE patterns of the tables' names); the rule
     * checks which table each one really writes to.
     */
    static final String WRITER_STATEMENTS = """
            SELECT queryid, sum(calls)::bigint, sum(total_exec_time)::float8, min(left(query, $2))
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
              AND query ~* '^\\s*(insert\\s+into|update|delete\\s+from|merge\\s+into)\\s' AND query ILIKE ANY ($1)
            GROUP BY queryid ORDER BY 3 DESC LIMIT $3""";

    static final String STATEMENT_TEXTS = """
            SELECT DISTINCT ON (queryid) queryid, left(query, $2)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid = ANY($1)""";

    static final String DATABASE_SIZE = "SELECT pg_database_size(current_database())";

    /**
     * How much of its range each used sequence has used, bounded by the column it feeds (a bigint sequence behind an
     * integer column runs out at 2^31), returned only from the cutoff on.
     */
    static final String SEQUENCES = """
            SELECT schemaname, sequencename, last_value, start_value, lim, col FROM (
                SELECT s.schemaname, s.sequencename, s.last_value, s.start_value, col.name AS col,
                       CASE WHEN s.increment_by > 0 THEN least(s.max_value, coalesce(col.hi, s.max_value))
                            ELSE greatest(s.min_value, coalesce(col.lo, s.min_value)) END AS lim
                FROM pg_sequences s
                LEFT JOIN LATERAL (
                    SELECT format('%I.%I.%I', tn.nspname, t.relname, a.attname) AS name,
                           CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 END AS hi,
                           CASE a.atttypid WHEN 'int2'::regtype THEN -32768 WHEN 'int4'::regtype THEN -2147483648 END AS lo
                    FROM pg_depend d
                         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                         JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                      AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
                      AND d.deptype IN ('a', 'i')
                    LIMIT 1) col ON true
                WHERE s.last_value IS NOT NULL) q
            WHERE lim <> start_value AND (last_value - start_value)::numeric / (lim - start_value) >= $1
            ORDER BY (last_value - start_value)::numeric / (lim - start_value) DESC LIMIT $2""";

    /**
     * Not unique and backing no constraint: nothing but reads needs it. Sizes are pg_class estimates, and only the
     * indexes of at least the minimum size are looked at further (no stat calls, no statistics lookups for the rest).
     */
    static final String UNUSED_INDEXES = """
            SELECT n.nspname, ic.relname, tc.relname, x.bytes
            FROM (SELECT c.oid, c.relpages::bigint * current_setting('block_size')::bigint AS bytes FROM pg_class c
                  WHERE c.relkind = 'i' AND c.relpages::bigint * current_setting('block_size')::bigint >= $1 OFFSET 0) x
                 JOIN pg_index i ON i.indexrelid = x.oid JOIN pg_class ic ON ic.oid = x.oid
                 JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)
              AND pg_stat_get_numscans(i.indexrelid) = 0
            ORDER BY 4 DESC LIMIT $2""";

    private final TargetPools pools;
    private final Clock clock;
    /** Targets already warned about, so the warning appears once, not every poll. */
    private final Set<String> blindTargets = ConcurrentHashMap.newKeySet();

    public SnapshotReader(TargetPools pools) {
        this.pools = pools;
        this.clock = Clock.systemUTC();
    }

    public Uni<PollResult> read(String target, boolean slow, Cutoffs cutoffs) {
        return read(target, slow, cutoffs, List.of());
    }

    /** @param watched tables of running plans ({@code schema.table}): the statements writing to them are read too */
    public Uni<PollResult> read(String target, boolean slow, Cutoffs cutoffs, List<String> watched) {
        Instant at = clock.instant();
        long t0 = System.nanoTime();
        String database = pools.database(target);
        return pools.of(target).withConnection(c -> snapshot(c, target, database, at, slow, cutoffs, watched))
                .map(s -> (PollResult) new PollResult.Reached(s, Duration.ofNanos(System.nanoTime() - t0)))
                .onFailure().recoverWithItem(e -> {
                    String reason = describe(e);
                    LOG.warnf("target %s unreachable: %s", target, reason);
                    return new PollResult.Unreachable(target, database, at, reason, Duration.ofNanos(System.nanoTime() - t0));
                });
    }

    /** The normalized texts of some statements (pg_stat_statements keeps them in a file: read them only when needed). */
    public Uni<Map<Long, String>> statementTexts(String target, List<Long> queryIds) {
        if (queryIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pools.of(target).preparedQuery(STATEMENT_TEXTS)
                .execute(Tuple.of(queryIds.toArray(new Long[0]), MAX_QUERY_CHARS))
                .map(rows -> {
                    Map<Long, String> texts = new LinkedHashMap<>();
                    rows.forEach(r -> texts.put(r.getLong(0), r.getString(1)));
                    return texts;
                })
                .onFailure().recoverWithItem(e -> Map.of());
    }

    private Uni<TargetSnapshot> snapshot(SqlConnection c, String target, String database, Instant at, boolean slow,
                                         Cutoffs cutoffs, List<String> watched) {
        return c.query(DATABASE).execute().flatMap(dbRows -> {
            Row db = one(dbRows, "pg_stat_database has no row for the target database");
            int maxConnections = db.getInteger(0);
            boolean inRecovery = db.getBoolean(1);
            boolean seesAll = db.getBoolean(2);
            TargetSnapshot.DatabaseStats stats = new TargetSnapshot.DatabaseStats(db.getLong(3), db.getLong(4),
                    db.getLong(5), db.getLong(6), db.getLong(7), db.getLong(8), db.getLong(9), db.getLong(11),
                    instant(db.getOffsetDateTime(10)));
            boolean statementsInstalled = db.getBoolean(12);
            Optional<Double> standbyLag = Optional.ofNullable(db.getDouble(13));
            if (!seesAll && blindTargets.add(target)) {
                LOG.warnf("the monitor's role on target %s lacks pg_read_all_stats (grant pg_monitor): queries of other "
                        + "roles are invisible, so long_running_query and idle_in_transaction cannot fire for them", target);
            }
            Parts p = new Parts();
            return c.query(CONNECTIONS).execute().invoke(rows -> rows.forEach(r -> p.byState.put(r.getString(0), r.getInteger(1))))
                    .flatMap(x -> c.preparedQuery(SESSIONS).execute(Tuple.of(MAX_QUERY_CHARS, MAX_SESSIONS)))
                    .invoke(rows -> rows.forEach(r -> p.sessions.add(session(r))))
                    .flatMap(x -> c.preparedQuery(TABLES).execute(Tuple.of(MAX_TABLES)))
                    .invoke(rows -> rows.forEach(r -> p.tables.add(new TargetSnapshot.TableStats(r.getString(0), r.getString(1),
                            r.getLong(2), r.getLong(3), r.getLong(4), instant(r.getOffsetDateTime(5)),
                            instant(r.getOffsetDateTime(6))))))
                    .flatMap(x -> c.preparedQuery(INVALID_INDEXES).execute(Tuple.of(MAX_OBJECTS)))
                    .invoke(rows -> rows.forEach(r -> p.invalid.add(new TargetSnapshot.IndexRef(r.getString(0), r.getString(1),
                            r.getString(2)))))
                    .flatMap(x -> stats.frozenXidAge() >= cutoffs.xidAge()
                            ? c.query(OLDEST_TABLE).execute().map(rows -> {
                                for (Row r : rows) {
                                    p.oldest = Optional.of(new TargetSnapshot.OldestTable(r.getString(0), r.getLong(1)));
                                }
                                return true;
                            })
                            : Uni.createFrom().item(true))
                    .flatMap(x -> c.preparedQuery(STANDBYS).execute(Tuple.of(MAX_OBJECTS)))
                    .invoke(rows -> rows.forEach(r -> p.standbys.add(new TargetSnapshot.Standby(r.getString(0), r.getString(1),
                            r.getString(2), r.getDouble(3), r.getLong(4)))))
                    .flatMap(x -> c.preparedQuery(INACTIVE_SLOTS).execute(Tuple.of(MAX_OBJECTS)))
                    .invoke(rows -> rows.forEach(r -> p.slots.add(new TargetSnapshot.Slot(r.getString(0), r.getString(1),
                            r.getString(2), r.getLong(3), r.getString(4)))))
                    .flatMap(x -> statements(c, database, statementsInstalled))
                    .flatMap(st -> writers(c, st, watched))
                    .invoke(st -> p.statements = st)
                    .flatMap(x -> slow ? slowReads(c, cutoffs).map(Optional::of) : Uni.createFrom().item(Optional.<TargetSnapshot.SlowReads>empty()))
                    .map(slowReads -> new TargetSnapshot(target, database, at, inRecovery, seesAll, maxConnections,
                            p.byState.values().stream().mapToInt(Integer::intValue).sum(), p.byState, stats, p.sessions,
                            p.tables, p.invalid, p.oldest, inRecovery ? standbyLag : Optional.empty(), p.standbys, p.slots,
                            p.statements, slowReads));
        });
    }

    private static Uni<TargetSnapshot.Statements> statements(SqlConnection c, String database, boolean installed) {
        if (!installed) {
            return Uni.createFrom().item(TargetSnapshot.Statements.missing(
                    "the pg_stat_statements extension is not installed in database " + database));
        }
        return c.preparedQuery(STATEMENTS).execute(Tuple.of(MAX_STATEMENTS))
                .map(rows -> {
                    List<TargetSnapshot.Statement> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new TargetSnapshot.Statement(r.getLong(0), r.getLong(1), r.getDouble(2), null)));
                    return new TargetSnapshot.Statements(true, null, list);
                })
                // installed but not loaded ("must be loaded via shared_preload_libraries"), or not readable
                .onFailure(PgException.class).recoverWithItem(e -> TargetSnapshot.Statements.missing(
                        "pg_stat_statements cannot be read: " + ((PgException) e).getErrorMessage()));
    }

    /** Adds the statements writing to the watched tables, with their texts, to the totals (once per queryid). */
    private static Uni<TargetSnapshot.Statements> writers(SqlConnection c, TargetSnapshot.Statements statements,
                                                          List<String> watched) {
        if (!statements.available() || watched.isEmpty()) {
            return Uni.createFrom().item(statements);
        }
        String[] patterns = watched.stream().map(t -> "%" + likeEscaped(t.substring(t.indexOf('.') + 1)) + "%")
                .distinct().toArray(String[]::new);
        return c.preparedQuery(WRITER_STATEMENTS).execute(Tuple.of(patterns, MAX_QUERY_CHARS, MAX_STATEMENTS))
                .map(rows -> {
                    Map<Long, TargetSnapshot.Statement> merged = new LinkedHashMap<>();
                    statements.rows().forEach(st -> merged.put(st.queryId(), st));
                    rows.forEach(r -> merged.put(r.getLong(0), new TargetSnapshot.Statement(r.getLong(0), r.getLong(1),
                            r.getDouble(2), r.getString(3))));
                    return new TargetSnapshot.Statements(true, null, List.copyOf(merged.values()));
                })
                .onFailure(PgException.class).recoverWithItem(e -> {
                    LOG.warnf("cannot read the statements writing to %s: %s", watched, ((PgException) e).getErrorMessage());
                    return statements;
                });
    }

    private static String likeEscaped(String name) {
        return name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static Uni<TargetSnapshot.SlowReads> slowReads(SqlConnection c, Cutoffs cutoffs) {
        List<TargetSnapshot.SequenceUsage> sequences = new ArrayList<>();
        List<TargetSnapshot.UnusedIndex> unused = new ArrayList<>();
        long[] size = {-1};
        return c.query(DATABASE_SIZE).execute().invoke(rows -> rows.forEach(r -> size[0] = r.getLong(0)))
                .flatMap(x -> c.preparedQuery(SEQUENCES).execute(Tuple.of(cutoffs.sequenceFraction(), MAX_OBJECTS)))
                .invoke(rows -> rows.forEach(r -> sequences.add(new TargetSnapshot.SequenceUsage(r.getString(0),
                        r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5)))))
                .flatMap(x -> c.preparedQuery(UNUSED_INDEXES).execute(Tuple.of(cutoffs.unusedIndexBytes(), MAX_OBJECTS)))
                .invoke(rows -> rows.forEach(r -> unused.add(new TargetSnapshot.UnusedIndex(r.getString(0), r.getString(1),
                        r.getString(2), r.getLong(3)))))
                .map(x -> new TargetSnapshot.SlowReads(size[0] < 0 ? OptionalLong.empty() : OptionalLong.of(size[0]),
                        sequences, unused));
    }

    private static TargetSnapshot.Session session(Row r) {
        Object[] blocking = r.getArrayOfIntegers(9);
        List<Integer> blockers = blocking == null ? List.of()
                : Arrays.stream(blocking).map(o -> ((Number) o).intValue()).toList();
        return new TargetSnapshot.Session(r.getInteger(0), r.getString(1), r.getString(2), r.getString(3),
                Math.max(0, r.getDouble(4)), Math.max(0, r.getDouble(5)), r.getString(6), r.getString(7),
                r.getDouble(8) == null ? null : Math.max(0, r.getDouble(8)), blockers, r.getString(10));
    }

    private static Row one(RowSet<Row> rows, String otherwise) {
        for (Row r : rows) {
            return r;
        }
        throw new IllegalStateException(otherwise);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static String describe(Throwable e) {
        String message;
        if (e instanceof PgException pg) {
            message = pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
        } else {
            message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    private static final class Parts {
        final Map<String, Integer> byState = new LinkedHashMap<>();
        final List<TargetSnapshot.Session> sessions = new ArrayList<>();
        final List<TargetSnapshot.TableStats> tables = new ArrayList<>();
        final List<TargetSnapshot.IndexRef> invalid = new ArrayList<>();
        Optional<TargetSnapshot.OldestTable> oldest = Optional.empty();
        final List<TargetSnapshot.Standby> standbys = new ArrayList<>();
        final List<TargetSnapshot.Slot> slots = new ArrayList<>();
        TargetSnapshot.Statements statements;
    }
}
