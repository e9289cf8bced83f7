package dev.shadowshift.backup.api;

import dev.shadowshift.pg.dump.TableName;
import dev.shadowshift.pg.dump.ProcessRunner;
import dev.shadowshift.pg.dump.PgCommands;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.backup.dump.BackupMaker;
import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Restores a catalogued backup with pg_restore into a database on the same server as the backup's target. */
@ApplicationScoped
public class RestoreService {

    public static final Pattern DATABASE_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}$");
    private static final Logger LOG = Logger.getLogger(RestoreService.class);

    /** {@code problem} is null on success; otherwise it says what went wrong and {@code status} how to answer. */
    public record Result(Response.Status status, String problem) {
    }

    private final TargetDatabases targets;
    private final BackupConfig config;

    public RestoreService(TargetDatabases targets, BackupConfig config) {
        this.targets = targets;
        this.config = config;
    }

    public Result restore(BackupEntry backup, String database) throws IOException, InterruptedException {
        if (!"VERIFIED".equals(backup.status())) {
            return new Result(Response.Status.CONFLICT, "backup " + backup.backupId() + " is " + backup.status()
                    + (backup.reason() == null ? "" : " (" + backup.reason() + ")") + "; only VERIFIED backups can be restored");
        }
        if (!targets.exists(backup.target())) {
            return new Result(Response.Status.CONFLICT, "target '" + backup.target() + "' is not configured here");
        }
        PgEndpoint endpoint = targets.endpoint(backup.target());
        if (endpoint.database().equals(database)) {
            return new Result(Response.Status.CONFLICT, "refusing to restore into the live target database '" + database
                    + "'; restore into a scratch database and copy what you need from there");
        }
        Path file = Path.of(backup.location());
        if (!Files.isRegularFile(file)) {
            return new Result(Response.Status.CONFLICT, "the archive " + file + " of backup " + backup.backupId() + " is missing");
        }
        String sha256 = BackupMaker.sha256(file);
        if (!sha256.equals(backup.sha256())) {
            return new Result(Response.Status.CONFLICT, "the archive " + file + " no longer matches its recorded sha256 "
                    + backup.sha256() + " (now " + sha256 + "); it will not be restored");
        }
        // pg_dump --table leaves out CREATE SCHEMA, so a fresh database needs the schemas first
        Set<String> schemas = new LinkedHashSet<>();
        backup.tables().forEach(t -> schemas.add(TableName.parse(t, null).schema()));
        try (Connection c = targets.open(backup.target(), database); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(schema));
            }
        } catch (SQLException e) {
            if ("3D000".equals(e.getSQLState())) {
                return new Result(Response.Status.CONFLICT, "database '" + database + "' does not exist on the server of target '"
                        + backup.target() + "'; create it first");
            }
            return new Result(Response.Status.BAD_GATEWAY, "cannot prepare database '" + database + "': " + e.getMessage());
        }
        LOG.infof("restoring backup %s (%s) into %s on %s:%d", backup.backupId(), backup.tables(), database,
                endpoint.host(), endpoint.port());
        ProcessRunner.Result run = ProcessRunner.run(PgCommands.restore(config.pgRestore(), endpoint, database, file),
                PgCommands.environment(endpoint), config.restoreTimeout());
        if (run.timedOut()) {
            return new Result(Response.Status.GATEWAY_TIMEOUT, "pg_restore did not finish within " + config.restoreTimeout());
        }
        if (!run.ok()) {
            LOG.errorf("restore of backup %s into %s failed: %s", backup.backupId(), database, run.stderr().strip());
            return new Result(Response.Status.INTERNAL_SERVER_ERROR, "pg_restore exited with " + run.exitCode() + ": "
                    + run.firstErrorLine());
        }
        LOG.infof("restored backup %s into %s", backup.backupId(), database);
        return new Result(Response.Status.OK, null);
    }
}
