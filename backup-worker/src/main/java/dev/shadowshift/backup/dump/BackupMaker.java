package dev.shadowshift.backup.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Backs up exactly the tables a plan alters: a verified pg_dump archive per backup id ({@link TableDump}). */
@ApplicationScoped
public class BackupMaker {

    private static final Logger LOG = Logger.getLogger(BackupMaker.class);

    private final BackupConfig config;
    private final TargetDatabases targets;

    public BackupMaker(BackupConfig config, TargetDatabases targets) {
        this.config = config;
        this.targets = targets;
    }

    public Path fileFor(String backupId) {
        return TableDump.fileFor(config.directory(), backupId);
    }

    public TableDump.Outcome make(String backupId, String target, List<TableName> tables) throws IOException, InterruptedException {
        PgEndpoint endpoint = targets.endpoint(target);
        LOG.infof("backup %s: pg_dump of %d table(s) from %s", backupId, tables.size(), endpoint);
        return TableDump.make(new TableDump.Tools(config.pgDump(), config.pgRestore(), config.dumpTimeout()), endpoint, tables,
                config.directory(), backupId);
    }

    public static String sha256(Path file) throws IOException {
        return TableDump.sha256(file);
    }
}
