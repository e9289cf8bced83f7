package dev.shadowshift.backup.flow;

import org.eclipse.microprofile.config.ConfigProvider;
import java.util.HashSet;
import java.util.Set;
import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.catalog.BackupEntry.Status;
import dev.shadowshift.backup.catalog.BackupEntry.Trigger;
import dev.shadowshift.backup.catalog.TableCount;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.backup.dump.BackupMaker;
import dev.shadowshift.backup.messaging.EventPublisher;
import dev.shadowshift.backup.metrics.BackupMetrics;
import dev.shadowshift.backup.retention.RetentionJob;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.dump.ArchiveStorage;
import dev.shadowshift.pg.dump.DumpFailed;
import dev.shadowshift.pg.dump.RestoreCheck;
import dev.shadowshift.pg.dump.StorageException;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import dev.shadowshift.pg.dump.TableRows;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way a backup is made and checked, whoever asks (REST, a plan, a schedule; the CLI through REST):
 * catalogue it RUNNING -> pg_dump in a snapshot with its row counts -> publish the checked archive -> restore it into a
 * scratch database and compare the counts -> VERIFIED, CORRUPT or FAILED -> announce -> retention for the target.
 * Re-verification of a kept backup is the same check. Each step on a backup holds its catalog lock, so a run, a
 * verification and a removal never overlap on one backup.
 */
@ApplicationScoped
public class BackupFlow {

    private static final Logger LOG = Logger.getLogger(BackupFlow.class);
    /** How long a request waits for a backup's lock: a run that just finished is still announcing and applying retention. */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(10);

    private final BackupCatalog catalog;
    private final BackupMaker maker;
    private final EventPublisher publisher;
    private final TargetDatabases targets;
    private final BackupConfig config;
    private final BackupMetrics metrics;
    private final RetentionJob retention;
    private final ExecutorService runs;

    public BackupFlow(BackupCatalog catalog, BackupMaker maker, EventPublisher publisher, TargetDatabases targets, BackupConfig config,
                      BackupMetrics metrics, RetentionJob retention) {
        this.catalog = catalog;
        this.maker = maker;
        this.publisher = publisher;
        this.targets = targets;
        this.config = config;
        this.metrics = metrics;
        this.retention = retention;
        AtomicInteger n = new AtomicInteger();
        this.runs = Executors.newFixedThreadPool(Math.max(1, config.maxConcurrent()), r -> {
            Thread t = new Thread(r, "backup-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        // interrupting a run kills its pg_dump or pg_restore; the next start marks the run FAILED
        runs.shutdownNow();
    }

    // --- starting a backup ---------------------------------------------------------------------------------------

    /**
     * A backup on request: catalogued RUNNING and run in the background.
     *
     * @param tables "schema.table" names, or null for the whole target database
     */
    public BackupEntry request(String target, List<String> tables) throws Refused, SQLException {
        if (target == null || !targets.exists(target)) {
            throw Refused.badRequest("unknown target '" + target + "'; configured targets: " + targets.names());
        }
        List<TableName> parsed = null;
        if (tables != null) {
            if (tables.isEmpty()) {
                throw Refused.badRequest("tables is empty: name at least one schema.table, or leave tables out for the whole database");
            }
            try {
                parsed = tables.stream().map(t -> TableName.parse(t, null)).distinct().toList();
            } catch (IllegalArgumentException e) {
                throw Refused.badRequest(e.getMessage());
            }
        }
        return startInBackground(Trigger.MANUAL, target, parsed);
    }

    /** A target's scheduled backup of its whole database, unless the previous one still runs. */
    public Optional<BackupEntry> scheduled(String target) throws SQLException {
        if (catalog.runningFor(target, Trigger.SCHEDULED)) {
            LOG.warnf("scheduled backup of target %s skipped: the previous one still runs", target);
            return Optional.empty();
        }
        return Optional.of(startInBackground(Trigger.SCHEDULED, target, null));
    }

    private BackupEntry startInBackground(Trigger trigger, String target, List<TableName> tables) throws SQLException {
        String backupId = UUID.randomUUID().toString();
        catalog.insertRunning(new BackupCatalog.NewBackup(backupId, null, target, trigger,
                tables == null ? null : tables.stream().map(TableName::qualified).toList(), maker.settings().format().pgName(), null, null));
        LOG.infof("backup %s of target %s (%s) requested: %s", backupId, target, trigger,
                tables == null ? "the whole database" : tables.stream().map(TableName::qualified).toList());
        runs.submit(() -> {
            try (BackupCatalog.Lock lock = catalog.tryLock(backupId).orElseThrow()) {
                announceQuietly(run(catalog.find(backupId).orElseThrow(), tables));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warnf("backup %s interrupted: the worker is stopping; the next start marks it FAILED", backupId);
            } catch (Exception e) {
                LOG.errorf(e, "backup %s could not be run", backupId);
                failQuietly(backupId, "the backup could not be run: " + e.getMessage());
            }
        });
        return catalog.find(backupId).orElseThrow();
    }

    // --- running it --------------------------------------------------------------------------------------------

    /**
     * Makes, publishes and verifies a RUNNING backup; the caller holds its lock. A plan's consumer calls this on its
     * own thread and announces the outcome itself, so that a broker that does not take the news means a redelivery.
     *
     * @param tables the tables, parsed as the requester meant them; null for the whole database
     * @return the backup as the catalog has it afterwards: VERIFIED, CORRUPT or FAILED
     */
    public BackupEntry run(BackupEntry entry, List<TableName> tables) throws SQLException, InterruptedException {
        String id = entry.backupId();
        long started = System.nanoTime();
        TableDump.Made made;
        try {
            made = maker.make(id, entry.target(), tables);
        } catch (DumpFailed e) {
            return fail(entry, e.getMessage());
        }
        Duration dumpTook = Duration.ofNanos(System.nanoTime() - started);
        List<TableCount> rows = made.rows().stream().map(r -> new TableCount(r.table().schema(), r.table().table(), r.rows(), null)).toList();
        List<String> names = entry.wholeDatabase() ? rows.stream().map(r -> r.name().qualified()).toList() : entry.tables();
        catalog.markDumped(id, names, made.location(), made.digest().sizeBytes(), made.digest().sha256(), made.archiveEntries(), rows,
                seconds(dumpTook), entry.createdAt().plus(config.retention().maxAge()));
        metrics.dumped(entry.target(), entry.trigger(), dumpTook, made.digest().sizeBytes());
        LOG.infof("backup %s: %s written in %.1f s (%d bytes, %d archive entries, %d table(s), %d row(s)); verifying by a restore",
                id, made.location(), seconds(dumpTook), made.digest().sizeBytes(), made.archiveEntries(), rows.size(),
                rows.stream().mapToLong(TableCount::rows).sum());

        BackupEntry dumped = catalog.find(id).orElseThrow();
        Check check = check(dumped);
        BackupEntry result = switch (check.result().verdict()) {
            case VERIFIED -> verified(dumped, check);
            case CORRUPT -> corrupt(dumped, check);
            case NOT_RUN -> {
                deleteQuietly(made.location());
                yield fail(dumped, "the archive was made but could not be verified: " + check.result().reason());
            }
        };
        if (result.status() == Status.VERIFIED) {
            retention.apply(entry.target(), now());
        }
        return result;
    }

    // --- verifying a kept backup ------------------------------------------------------------------------------

    /** The outcome of a verification: the backup afterwards, and why the check could not run (null when it ran). */
    public record Verification(BackupEntry backup, String notRun) {
    }

    /** Restores a kept backup into a scratch database again and compares its rows with those counted at dump time. */
    public Verification verify(String backupId) throws Refused, SQLException, InterruptedException {
        BackupEntry entry = catalog.find(backupId).orElseThrow(() -> Refused.notFound(backupId));
        if (!entry.hasArchive()) {
            throw Refused.conflict("backup " + backupId + " is " + entry.status() + (entry.status() == Status.RUNNING
                    ? "; it is verified when it finishes" : " and has no archive to verify"));
        }
        Optional<BackupCatalog.Lock> lock = catalog.tryLock(backupId, BUSY_WAIT);
        if (lock.isEmpty()) {
            throw Refused.conflict("backup " + backupId + " is being verified or removed right now; ask again when that is done");
        }
        try (BackupCatalog.Lock held = lock.get()) {
            entry = catalog.find(backupId).orElseThrow(() -> Refused.notFound(backupId));
            if (!entry.hasArchive()) {
                throw Refused.conflict("backup " + backupId + " is " + entry.status() + " and has no archive to verify");
            }
            Check check = check(entry);
            return switch (check.result().verdict()) {
                case VERIFIED -> {
                    if (entry.status() == Status.CORRUPT) {
                        LOG.warnf("backup %s verifies again (it was CORRUPT: %s)", backupId, entry.reason());
                    }
                    yield new Verification(verified(entry, check), null);
                }
                case CORRUPT -> new Verification(corrupt(entry, check), null);
                case NOT_RUN -> {
                    LOG.warnf("backup %s: the verification could not run: %s; its status stays %s", backupId,
                            check.result().reason(), entry.status());
                    catalog.verificationNotRun(backupId, check.result().reason());
                    yield new Verification(catalog.find(backupId).orElseThrow(), check.result().reason());
                }
            };
        }
    }

    /** Re-verifies every kept VERIFIED backup whose last verification is older than the interval, one after another. */
    public int reverifyDue() throws SQLException, InterruptedException {
        if (config.reverifyInterval().isZero() || config.reverifyInterval().isNegative()) {
            return 0;
        }
        int done = 0;
        for (BackupEntry due : catalog.dueForReverification(now().minus(config.reverifyInterval()))) {
            try {
                Verification v = verify(due.backupId());
                LOG.infof("re-verification of backup %s (target %s): %s", due.backupId(), due.target(),
                        v.notRun() != null ? "could not run" : v.backup().status());
                done++;
            } catch (Refused e) {
                LOG.debugf("re-verification of backup %s skipped: %s", due.backupId(), e.getMessage());
            }
        }
        return done;
    }

    private record Check(RestoreCheck.Result result, Duration took) {
    }

    private Check check(BackupEntry entry) throws InterruptedException {
        long started = System.nanoTime();
        RestoreCheck.Expected expected = new RestoreCheck.Expected(entry.sha256(),
                entry.tableRows().stream().map(t -> new TableRows(t.name(), t.rows())).toList(), entry.wholeDatabase());
        RestoreCheck.Result result;
        try (ArchiveStorage.Local local = maker.storage().open(entry.location())) {
            result = maker.verify(entry.backupId(), entry.target(), local.path(), expected);
        } catch (StorageException e) {
            result = e.kind() == StorageException.Kind.NOT_FOUND
                    ? new RestoreCheck.Result(RestoreCheck.Verdict.CORRUPT, e.getMessage(), List.of())
                    : new RestoreCheck.Result(RestoreCheck.Verdict.NOT_RUN, e.getMessage(), List.of());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (result.verdict() != RestoreCheck.Verdict.NOT_RUN) {
            metrics.verified(entry.target(), entry.trigger(), took);
        }
        return new Check(result, took);
    }

    private BackupEntry verified(BackupEntry entry, Check check) throws SQLException {
        catalog.markVerified(entry.backupId(), withRestored(entry.tableRows(), check.result().restored()), seconds(check.took()), now());
        metrics.refresh(entry.target());
        BackupEntry after = catalog.find(entry.backupId()).orElseThrow();
        LOG.infof("backup %s of target %s VERIFIED in %.1f s: restored into a scratch database with the rows counted at dump time (%s)",
                entry.backupId(), entry.target(), seconds(check.took()), summary(after.tableRows()));
        return after;
    }

    private BackupEntry corrupt(BackupEntry entry, Check check) throws SQLException {
        boolean news = catalog.markCorrupt(entry.backupId(), check.result().reason(),
                withRestored(entry.tableRows(), check.result().restored()), seconds(check.took()), now());
        metrics.refresh(entry.target());
        BackupEntry after = catalog.find(entry.backupId()).orElseThrow();
        LOG.errorf("backup %s of target %s is CORRUPT: %s; it will not be restored and opens no plan's gate", entry.backupId(),
                entry.target(), check.result().reason());
        if (news) {
            metrics.failed(entry.target(), entry.trigger(), Status.CORRUPT);
            if (entry.status() != Status.RUNNING) {
                // a kept backup went bad: say so now (a new one is announced by whoever ran it)
                announceQuietly(after);
            }
        }
        return after;
    }

    private BackupEntry fail(BackupEntry entry, String reason) throws SQLException {
        catalog.markFailed(entry.backupId(), reason, now());
        metrics.failed(entry.target(), entry.trigger(), Status.FAILED);
        metrics.refresh(entry.target());
        LOG.errorf("backup %s of target %s (%s) FAILED: %s", entry.backupId(), entry.target(), entry.trigger(), reason);
        return catalog.find(entry.backupId()).orElseThrow();
    }

    private void failQuietly(String backupId, String reason) {
        try {
            Optional<BackupEntry> entry = catalog.find(backupId);
            if (entry.isPresent() && entry.get().status() == Status.RUNNING) {
                announceQuietly(fail(entry.get(), reason));
            }
        } catch (Exception e) {
            LOG.errorf("cannot record the failure of backup %s: %s", backupId, e.getMessage());
        }
    }

    // --- announcing -------------------------------------------------------------------------------------------

    /**
     * backup-completed for a VERIFIED backup, backup-failed for a FAILED or CORRUPT one.
     *
     * @throws dev.shadowshift.contracts.PublishFailedException when the broker does not take it
     */
    public void announce(BackupEntry entry) {
        switch (entry.status()) {
            case VERIFIED -> publisher.completed(entry);
            case FAILED, CORRUPT -> publisher.failed(entry);
            // RUNNING is announced when it ends; an EXPIRED backup's archive is gone, so announcing it as usable would be a lie
            default -> LOG.warnf("backup %s is %s; not announced", entry.backupId(), entry.status());
        }
    }

    /** For backups nobody waits on: the catalog holds the outcome whether or not the broker takes the news. */
    private void announceQuietly(BackupEntry entry) {
        try {
            announce(entry);
        } catch (RuntimeException e) {
            LOG.errorf("backup %s is %s, but announcing it failed: %s", entry.backupId(), entry.status(), e.getMessage());
        }
    }

    // --- restoring --------------------------------------------------------------------------------------------

    private RestoreGuard restoreGuard() {
        Set<String> protectedNames = new HashSet<>();
        for (String target : targets.names()) {
            protectedNames.add(targets.endpoint(target).database());
        }
        ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.jdbc.url", String.class)
                .map(BackupFlow::databaseOf).ifPresent(protectedNames::add);
        return new RestoreGuard(config.restore().allowedPattern(), protectedNames);
    }

    /** The database a JDBC URL names: jdbc:postgresql://host:port/NAME?options. */
    static String databaseOf(String jdbcUrl) {
        String path = jdbcUrl.replaceFirst("^jdbc:postgresql://[^/]*/?", "");
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** @param foreignKeysLeftOut a table backup's restore leaves out foreign keys, whose tables are not in it */
    public record Restored(BackupEntry backup, String database, boolean foreignKeysLeftOut) {
    }

    /**
     * Restores a VERIFIED backup into a new database on its target's server, created here, named as
     * {@link RestoreGuard} allows, all or nothing (pg_restore --single-transaction --exit-on-error; a failed restore
     * drops the database it made). The archive's digest is checked first: one that changed since it was made is
     * CORRUPT from now on (and announced), and is not restored.
     */
    public Restored restore(String backupId, String database) throws Refused, SQLException, InterruptedException {
        Optional<Refused> refused = restoreGuard().refusal(database);
        if (refused.isPresent()) {
            throw refused.get();
        }
        BackupEntry entry = catalog.find(backupId).orElseThrow(() -> Refused.notFound(backupId));
        if (entry.status() != Status.VERIFIED) {
            throw Refused.conflict("backup " + backupId + " is " + entry.status() + (entry.reason() == null ? "" : " (" + entry.reason() + ")")
                    + "; only VERIFIED backups can be restored");
        }
        if (!targets.exists(entry.target())) {
            throw Refused.conflict("target '" + entry.target() + "' is not configured here");
        }
        var endpoint = targets.endpoint(entry.target());
        Optional<BackupCatalog.Lock> lock = catalog.tryLock(backupId, BUSY_WAIT);
        if (lock.isEmpty()) {
            throw Refused.conflict("backup " + backupId + " is being verified or removed right now; ask again when that is done");
        }
        try (BackupCatalog.Lock held = lock.get(); ArchiveStorage.Local local = maker.storage().open(entry.location())) {
            String sha256 = dev.shadowshift.pg.dump.ArchiveDigest.of(local.path()).sha256();
            if (!sha256.equals(entry.sha256())) {
                String reason = "the archive's sha256 is " + sha256 + ", not the " + entry.sha256() + " recorded when it was made: it changed since";
                corrupt(entry, new Check(new RestoreCheck.Result(RestoreCheck.Verdict.CORRUPT, reason, List.of()), Duration.ZERO));
                throw Refused.conflict("backup " + backupId + " is CORRUPT: " + reason + "; it will not be restored");
            }
            dev.shadowshift.pg.dump.ArchiveToc toc;
            try {
                toc = dev.shadowshift.pg.dump.ArchiveCheck.run(config.pgRestore(), local.path(),
                        entry.tableRows().stream().map(TableCount::name).toList(), config.restoreTimeout());
            } catch (DumpFailed e) {
                corrupt(entry, new Check(new RestoreCheck.Result(RestoreCheck.Verdict.CORRUPT, e.getMessage(), List.of()), Duration.ZERO));
                throw Refused.conflict("backup " + backupId + " is CORRUPT: " + e.getMessage() + "; it will not be restored");
            }
            LOG.infof("restoring backup %s (%s) into %s on %s:%d", backupId, entry.wholeDatabase() ? "whole database" : entry.tables(),
                    database, endpoint.host(), endpoint.port());
            try {
                RestoreCheck.createDatabase(endpoint, database);
            } catch (SQLException e) {
                if ("42P04".equals(e.getSQLState())) {
                    throw Refused.conflict("database '" + database + "' exists already; a restore goes only into a new database, "
                            + "which it creates");
                }
                throw new Refused(502, "cannot create database '" + database + "' (the worker's role needs CREATEDB): " + e.getMessage());
            }
            RestoreCheck.Restore run;
            try {
                run = RestoreCheck.restoreInto(maker.restoreTools(), endpoint, database, local.path(), toc,
                        entry.wholeDatabase() ? null : entry.tableRows().stream().map(TableCount::schema).toList(), 1, false, true);
            } catch (SQLException e) {
                RestoreCheck.dropDatabase(endpoint, database);
                throw new Refused(502, "cannot prepare database '" + database + "': " + e.getMessage());
            }
            if (!run.ok()) {
                RestoreCheck.dropDatabase(endpoint, database);
                LOG.errorf("restore of backup %s into %s failed: %s", backupId, database, run.problem());
                throw new Refused(run.problem().contains("did not finish within") ? 504 : 500, run.problem());
            }
            LOG.infof("restored backup %s into %s", backupId, database);
            return new Restored(entry, database, !entry.wholeDatabase());
        } catch (StorageException e) {
            throw Refused.conflict("the archive of backup " + backupId + " cannot be read: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw Refused.conflict("the archive of backup " + backupId + " cannot be read: " + e.getMessage());
        }
    }

    // --- pins and recovery ---------------------------------------------------------------------------------------

    public BackupEntry pin(String backupId, boolean pinned) throws Refused, SQLException {
        if (!catalog.pin(backupId, pinned)) {
            throw Refused.notFound(backupId);
        }
        LOG.infof("backup %s %s by an operator", backupId, pinned ? "pinned" : "unpinned");
        return catalog.find(backupId).orElseThrow();
    }

    /**
     * After a restart: a RUNNING backup on request or on schedule whose lock nobody holds was cut off by the stop and
     * is FAILED (and announced); a plan's is run again when Kafka redelivers its plan, which it does since the plan's
     * record was not done. Scratch databases a crashed verification left are dropped.
     */
    public void recover() throws SQLException {
        for (BackupEntry running : catalog.running()) {
            if (running.trigger() == Trigger.PLAN) {
                continue;
            }
            Optional<BackupCatalog.Lock> lock = catalog.tryLock(running.backupId());
            if (lock.isEmpty()) {
                continue;
            }
            try (BackupCatalog.Lock held = lock.get()) {
                discardStaged(running);
                announceQuietly(fail(running, "the worker stopped while this backup ran; nothing of it was kept"));
            }
        }
        for (String target : targets.names()) {
            try {
                List<String> dropped = RestoreCheck.sweep(targets.endpoint(target));
                if (!dropped.isEmpty()) {
                    LOG.infof("dropped scratch database(s) %s that an interrupted verification left on target %s's server", dropped, target);
                }
            } catch (SQLException e) {
                LOG.warnf("cannot look for leftover scratch databases on target %s's server: %s", target, e.getMessage());
            }
            metrics.refresh(target);
        }
    }

    private void discardStaged(BackupEntry entry) {
        try {
            ArchiveStorage storage = maker.storage();
            storage.discard(storage.stage(entry.backupId(), dev.shadowshift.pg.dump.ArchiveFormat.of(entry.format())));
        } catch (StorageException | IllegalArgumentException e) {
            LOG.warnf("cannot remove what backup %s left in %s: %s", entry.backupId(), maker.storage().describe(), e.getMessage());
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private void deleteQuietly(String location) {
        try {
            maker.storage().delete(location);
        } catch (StorageException | RuntimeException e) {
            LOG.warnf("cannot delete %s: %s", location, e.getMessage());
        }
    }

    private static List<TableCount> withRestored(List<TableCount> dumped, List<TableRows> restored) {
        List<TableCount> merged = new ArrayList<>();
        for (TableCount t : dumped) {
            Long found = restored.stream().filter(r -> r.table().equals(t.name())).map(TableRows::rows).findFirst().orElse(null);
            merged.add(new TableCount(t.schema(), t.table(), t.rows(), found));
        }
        return merged;
    }

    private static String summary(List<TableCount> rows) {
        long total = rows.stream().mapToLong(TableCount::rows).sum();
        return rows.size() + " table(s), " + total + " row(s)";
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
