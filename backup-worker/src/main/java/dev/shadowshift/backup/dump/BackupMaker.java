package dev.shadowshift.backup.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.dump.ArchiveStorage;
import dev.shadowshift.pg.dump.DumpFailed;
import dev.shadowshift.pg.dump.DumpSettings;
import dev.shadowshift.pg.dump.RestoreCheck;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/** Makes archives ({@link TableDump}) and verifies them ({@link RestoreCheck}) with this worker's tools, settings and storage. */
@ApplicationScoped
public class BackupMaker {

    private static final Logger LOG = Logger.getLogger(BackupMaker.class);

    private final BackupConfig config;
    private final TargetDatabases targets;
    private final ArchiveStorage storage;
    private final DumpSettings settings;

    public BackupMaker(BackupConfig config, TargetDatabases targets, ArchiveStorage storage, DumpSettings settings) {
        this.config = config;
        this.targets = targets;
        this.storage = storage;
        this.settings = settings;
    }

    public DumpSettings settings() {
        return settings;
    }

    public ArchiveStorage storage() {
        return storage;
    }

    /** @param tables null for the whole database */
    public TableDump.Made make(String backupId, String target, List<TableName> tables) throws DumpFailed, InterruptedException {
        PgEndpoint endpoint = targets.endpoint(target);
        LOG.infof("backup %s: pg_dump --format=%s of %s from %s into %s", backupId, settings.format().pgName(),
                tables == null ? "the whole database" : tables.size() + " table(s)", endpoint, storage.describe());
        return TableDump.make(new TableDump.Tools(config.pgDump(), config.pgRestore(), config.dumpTimeout()), endpoint, tables,
                settings, storage, backupId);
    }

    public RestoreCheck.Result verify(String backupId, String target, java.nio.file.Path archive, RestoreCheck.Expected expected)
            throws InterruptedException {
        return RestoreCheck.run(restoreTools(), targets.endpoint(target), backupId, archive, expected, settings.jobs());
    }

    public TableDump.Tools restoreTools() {
        return new TableDump.Tools(config.pgDump(), config.pgRestore(), config.restoreTimeout());
    }
}
