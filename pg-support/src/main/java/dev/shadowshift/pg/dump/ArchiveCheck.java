package dev.shadowshift.pg.dump;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/** pg_restore must read the archive's table of contents and find the data of every table the archive should hold. */
public final class ArchiveCheck {

    private ArchiveCheck() {
    }

    /** @throws DumpFailed saying what pg_restore could not read or which table's data is missing */
    public static ArchiveToc run(String pgRestore, Path archive, Collection<TableName> withData, Duration timeout)
            throws DumpFailed, InterruptedException {
        ProcessRunner.Result list;
        try {
            list = ProcessRunner.run(PgCommands.list(pgRestore, archive), Map.of(), timeout);
        } catch (IOException e) {
            throw new DumpFailed("cannot run " + pgRestore + ": " + e.getMessage(), e);
        }
        if (!list.ok()) {
            throw new DumpFailed("pg_restore --list cannot read the archive: "
                    + (list.timedOut() ? "no answer within " + timeout : list.firstErrorLine()));
        }
        ArchiveToc toc = ArchiveToc.parse(list.stdout());
        for (TableName table : withData) {
            if (!toc.hasData(table)) {
                throw new DumpFailed("pg_restore --list found no data for table " + table.qualified());
            }
        }
        return toc;
    }
}
