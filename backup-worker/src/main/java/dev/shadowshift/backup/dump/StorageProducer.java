package dev.shadowshift.backup.dump;

import dev.shadowshift.pg.dump.ArchiveFormat;
import dev.shadowshift.pg.dump.ArchiveStorage;
import dev.shadowshift.pg.dump.DumpSettings;
import dev.shadowshift.pg.dump.FilesystemStorage;
import io.quarkus.arc.DefaultBean;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;

import java.util.OptionalInt;

/** The archive storage (the filesystem unless another bean is provided) and pg_dump's settings, read once from config. */
public class StorageProducer {

    @Produces
    @DefaultBean
    @Singleton
    ArchiveStorage storage(BackupConfig config) {
        return new FilesystemStorage(config.directory());
    }

    @Produces
    @Singleton
    DumpSettings settings(BackupConfig config) {
        try {
            return new DumpSettings(ArchiveFormat.of(config.format()),
                    config.compression().map(OptionalInt::of).orElse(OptionalInt.empty()), config.jobs());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shadowshift.backup.format/compression/jobs: " + e.getMessage(), e);
        }
    }
}
