package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * pg_dump in a snapshot we hold, with each table's rows counted in that same snapshot: a repeatable-read transaction
 * exports its snapshot, pg_dump reads through {@code --snapshot}, and the transaction counts the rows while pg_dump
 * runs (so the count costs no time of its own on a machine with a core to spare), staying open until pg_dump is done.
 * The counts are what the archive holds, exactly, whatever clients write meanwhile: the verification restore must
 * find the same numbers.
 */
public final class SnapshotDump {

    /**
     * @param dumped  the tables named to pg_dump (a partitioned table's partitions included)
     * @param counted the tables whose rows the archive holds, with their rows
     */
    public record Result(List<TableName> dumped, List<TableRows> counted) {
    }

    private SnapshotDump() {
    }

    /** @param requested the tables to back up, or null for the whole database */
    public static Result run(TableDump.Tools tools, PgEndpoint endpoint, List<TableName> requested, DumpSettings settings,
                             Path out, String storage) throws DumpFailed, InterruptedException {
        ExecutorService dumper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pg_dump");
            t.setDaemon(true);
            return t;
        });
        try (Connection c = connect(endpoint)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                String snapshot = single(s, "SELECT pg_export_snapshot()");
                // one core for the count: pg_dump's COPY and its compression need the others
                s.execute("SET LOCAL max_parallel_workers_per_gather = 0");
                Tables tables = requested == null ? everyTable(c) : resolve(c, requested, endpoint);
                List<String> command = PgCommands.dump(tools.pgDump(), endpoint, requested == null ? null : tables.dumped(),
                        settings, snapshot, out);
                Statement counting = c.createStatement();
                Future<ProcessRunner.Result> dump = dumper.submit(() -> {
                    ProcessRunner.Result r = ProcessRunner.run(command, PgCommands.environment(endpoint), tools.timeout());
                    if (!r.ok()) {
                        cancelQuietly(counting);  // no use counting the rows of a dump that failed
                    }
                    return r;
                });
                List<TableRows> counted = new ArrayList<>();
                SQLException countFailure = null;
                try {
                    for (TableName t : tables.counted()) {
                        counted.add(new TableRows(t, count(counting, t)));
                    }
                } catch (SQLException e) {
                    countFailure = e;
                }
                ProcessRunner.Result result;
                try {
                    result = dump.get();
                } catch (InterruptedException e) {
                    dump.cancel(true);
                    throw e;
                } catch (ExecutionException e) {
                    throw new DumpFailed("cannot run " + tools.pgDump() + ": " + e.getCause().getMessage(), e.getCause());
                }
                if (!result.ok()) {
                    throw new DumpFailed(DumpFailed.describe("pg_dump", result, tools.timeout(), storage));
                }
                if (countFailure != null) {
                    throw new DumpFailed("counting the rows in the dump's snapshot failed: " + countFailure.getMessage(), countFailure);
                }
                c.rollback();
                return new Result(tables.dumped(), counted);
            }
        } catch (SQLException e) {
            throw new DumpFailed("cannot read " + endpoint + ": " + e.getMessage(), e);
        } finally {
            dumper.shutdownNow();
        }
    }

    /** The rows of one table, not counting inheritance children or partitions (each of those is counted on its own). */
    public static long count(Statement s, TableName t) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY " + SqlIdentifiers.qualified(t.schema(), t.table()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private record Tables(List<TableName> dumped, List<TableName> counted) {
    }

    private static Connection connect(PgEndpoint endpoint) throws DumpFailed {
        try {
            return endpoint.connect(endpoint.database());
        } catch (SQLException e) {
            throw new DumpFailed("cannot connect to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /** Every table of the database whose data pg_dump writes: not the system's, not an extension's, not temporary. */
    private static Tables everyTable(Connection c) throws SQLException {
        List<TableName> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind = 'r' AND c.relpersistence <> 't'
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
                       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                       AND d.objid = c.oid AND d.deptype = 'e')
                     ORDER BY 1, 2""")) {
            while (rs.next()) {
                tables.add(new TableName(rs.getString(1), rs.getString(2)));
            }
        }
        return new Tables(tables, tables);
    }

    /** The named tables as the snapshot sees them; a partitioned table brings its partitions (pg_dump 15 would not). */
    private static Tables resolve(Connection c, List<TableName> requested, PgEndpoint endpoint) throws SQLException, DumpFailed {
        Set<TableName> dumped = new LinkedHashSet<>();
        Set<TableName> counted = new LinkedHashSet<>();
        try (PreparedStatement find = c.prepareStatement("SELECT c.oid, c.relkind FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?");
             PreparedStatement tree = c.prepareStatement("SELECT n.nspname, c.relname, c.relkind FROM pg_partition_tree(?::oid) t "
                     + "JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE t.relid <> ?::oid ORDER BY t.level, 1, 2")) {
            for (TableName t : requested) {
                find.setString(1, t.schema());
                find.setString(2, t.table());
                long oid;
                String kind;
                try (ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) {
                        throw new DumpFailed("table " + t.qualified() + " does not exist in database " + endpoint.database());
                    }
                    oid = rs.getLong(1);
                    kind = rs.getString(2);
                }
                switch (kind) {
                    case "r" -> {
                        dumped.add(t);
                        counted.add(t);
                    }
                    case "p" -> {
                        dumped.add(t);
                        tree.setLong(1, oid);
                        tree.setLong(2, oid);
                        try (ResultSet rs = tree.executeQuery()) {
                            while (rs.next()) {
                                TableName member = new TableName(rs.getString(1), rs.getString(2));
                                dumped.add(member);
                                if (rs.getString(3).equals("r")) {
                                    counted.add(member);
                                }
                            }
                        }
                    }
                    default -> throw new DumpFailed(t.qualified() + " is " + kindName(kind) + ", not a table: only tables are backed up");
                }
            }
        }
        return new Tables(List.copyOf(dumped), List.copyOf(counted));
    }

    private static String kindName(String relkind) {
        return switch (relkind) {
            case "v" -> "a view";
            case "m" -> "a materialized view";
            case "f" -> "a foreign table";
            case "S" -> "a sequence";
            case "i", "I" -> "an index";
            default -> "a relation of kind '" + relkind + "'";
        };
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void cancelQuietly(Statement s) {
        try {
            s.cancel();
        } catch (SQLException e) {
            // the count then runs to its end; the dump's failure is reported either way
        }
    }
}
