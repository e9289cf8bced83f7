package dev.shadowshift.migration.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How the worker applies DDL to a live database. */
@ConfigMapping(prefix = "shadowshift.migration")
public interface MigrationConfig {

    /** SET LOCAL lock_timeout per table transaction: waiting behind a long query would block every query queued behind us. */
    @WithDefault("2s")
    Duration lockTimeout();

    /** SET LOCAL statement_timeout per table transaction. */
    @WithDefault("5m")
    Duration statementTimeout();

    /** Attempts per table when its lock cannot be obtained in time, including the first. */
    @WithDefault("5")
    int maxAttempts();

    /** Backoff before the second attempt; doubles per attempt, jittered, capped at {@link #backoffMax()}. */
    @WithDefault("500ms")
    Duration backoffInitial();

    @WithDefault("30s")
    Duration backoffMax();

    /**
     * Runs of a plan interrupted by a transient failure (connection lost, serialization failure, deadlock, lock
     * wait, server shutting down, too many connections), including the first, before the plan goes FAILED. The wait
     * between runs is the backoff above ({@link #backoffInitial()} doubling up to {@link #backoffMax()}, jittered).
     */
    @WithDefault("10")
    int transientMaxAttempts();

    /** ...and no retry starts later than this after the first such failure. */
    @WithDefault("15m")
    Duration transientMaxElapsed();

    /** A RUNNING progress event goes out at least this often while a plan runs... */
    @WithDefault("5s")
    Duration progressInterval();

    /**
     * Logical capture aborts the migration (dropping its replication slot) once the slot holds back more WAL than
     * this, in PostgreSQL's size notation (1GB, 512MB): a stalled migration must never fill the server's disk.
     */
    @WithDefault("1GB")
    String maxSlotWal();

    /**
     * After a cutover, how long the plan can be rolled back: the original table is kept, and the keys written to the
     * rebuilt table are captured cheaply (a replication slot where the server has wal_level=logical, a key-only log
     * trigger elsewhere) so that a rollback replays them into the original before swapping it back. When the window
     * closes the original table, the slot and every capture object are dropped; a rollback is refused from then on
     * (restore the plan's backup instead). 0 closes it at once: no rollback point is kept.
     */
    @WithDefault("15m")
    Duration rollbackWindow();

    /**
     * How the rollback window captures writes: {@code trigger} (the default) logs each written key through a key-only
     * trigger; {@code auto} reads a replication slot where the server allows logical decoding (nothing runs in the
     * clients' writes) and falls back to the trigger elsewhere. A slot needs a process that stays to drain it and bound
     * its WAL (the worker's scheduled check): {@code ./shadowshift migrate}, which exits after the cutover, always uses
     * the trigger. The default stays {@code trigger} until a known gap in the slot mode is closed: under a steady write
     * load its rollback can miss about one write in several thousand made during the window (seen in tests, cause not
     * yet found); the trigger mode carries back every one.
     */
    @WithDefault("trigger")
    String rollbackWindowCapture();

    /** ...or after this many tables, whichever comes first. */
    @WithDefault("25")
    int progressEveryTables();

    /** The shadow-table path. */
    Shadow shadow();

    /**
     * How the backfill and validation give way to the writers (see the worker's AdaptiveThrottle): a canary write is
     * timed every probe-interval on its own session while they run, and the oldest client write to the table in
     * flight (pg_stat_activity) is read before every batch; over a ceiling the batch halves and a sleep between
     * batches doubles, under both it grows back by a step and the sleep halves; past the pause ceiling it waits.
     */
    Throttling throttle();

    interface Throttling {
        /**
         * The canary's mean may not pass this, and its worst (or a client write in flight) neither, unless the server
         * was already slower than this before the copy began (then {@link #maxWriterSlowdown()} x that worst).
         */
        @WithDefault("20ms")
        Duration maxWriterLatency();

        /**
         * The canary's mean may rise to at most this many times its mean before the first batch: with a fixed number
         * of clients, 1.25 keeps their throughput at 80% or more.
         */
        @WithDefault("1.25")
        double maxWriterSlowdown();

        /** A client write to the table in flight, or a canary, this long pauses the copy (looking again every throttle-sleep). */
        @WithDefault("250ms")
        Duration pauseWriterLatency();

        /** How often the canary write (an autocommitted SELECT pg_current_xact_id(), no table) is timed while a copy runs. */
        @WithDefault("20ms")
        Duration probeInterval();

        /** Rows the batch-size cap grows by after each batch under the ceiling (the additive increase). */
        @WithDefault("2000")
        int batchSizeStep();

        /** The first sleep between batches once over the ceiling; it doubles while the latency stays over it. */
        @WithDefault("20ms")
        Duration sleepStep();

        /** The longest sleep between batches. */
        @WithDefault("1s")
        Duration maxSleep();

        /** A window of fewer canaries than this says nothing: only the writes in flight count then. */
        @WithDefault("5")
        long minProbes();
    }

    interface Shadow {
        /**
         * Each backfill batch aims at this duration; the batch size adapts to it. Longer batches copy faster (fewer
         * round trips, checkpoints and throttle checks per row); shorter ones give pause, cancel and throttling a
         * chance sooner. A batch takes no row locks: client writes never wait for it.
         */
        @WithDefault("500ms")
        Duration batchTimeTarget();

        @WithDefault("1000")
        int batchSizeInitial();

        @WithDefault("100")
        int batchSizeMin();

        @WithDefault("200000")
        int batchSizeMax();

        /**
         * Benchmark knob, 0 (off) in normal use: after the capture triggers exist and the high-water mark is taken,
         * wait this long before the backfill starts, so that the cost of capture alone can be measured under load.
         * Pause and cancel requests end the wait early. The same as {@link #holdAt()} BACKFILLING with
         * {@link #holdFor()}, announced as "hold-before-backfill" (benchmarks/migration/run.sh relies on it).
         */
        @WithDefault("0s")
        Duration holdBeforeBackfill();

        /**
         * Test and benchmark knob, unset (off) in normal use: the checkpoint at which a shadow rebuild stops for
         * {@link #holdFor()}, right after recording it, so that an end-to-end test can kill the worker at exactly
         * that point of a real migration. The run announces the hold on migration-progress (a RUNNING event whose
         * message reads "holding at OPTIMIZED for 300s (hold-at) on ...") and then sleeps; pause and cancel requests
         * end the wait early. Every run of a rebuild that reaches the checkpoint holds, a resumed one too. A name
         * that is not a {@link HoldPoint} fails the worker's start.
         */
        Optional<HoldPoint> holdAt();

        /** How long the {@link #holdAt()} hold lasts; 0 (the default) turns it off. */
        @WithDefault("0s")
        Duration holdFor();

        /**
         * Where {@link #holdAt()} can stop a rebuild: the shadow checkpoints, each right after it is recorded, plus
         * BACKFILL_BATCH, after the run's first backfill batch is checkpointed. CUT_OVER is after the swap committed
         * and before the foreign keys pointing in are validated.
         */
        enum HoldPoint {
            PREPARED, SHADOW_CREATED, BACKFILLING, BACKFILL_BATCH, BACKFILLED, OPTIMIZED, VALIDATED, CUT_OVER
        }

        /**
         * During the backfill, the change log (the keys clients wrote since capture began) is applied this often:
         * keys the backfill has passed are copied again into the shadow, keys it has yet to reach are dropped (it
         * copies them later, writes included). Shorter keeps the log, and the catch-up after the backfill, small;
         * longer leaves more of the server to the copy.
         */
        @WithDefault("30s")
        Duration applyInterval();

        /**
         * Validation compares the shadow with the original in primary-key ranges of about this many rows, one
         * statement (and so one short snapshot) per range: no snapshot is held across the table.
         */
        @WithDefault("20000")
        int validationChunkRows();

        /**
         * A range whose hashes differ is compared again after the change log is applied, this many times, before
         * validation fails: a write that landed while the range was compared is not a difference.
         */
        @WithDefault("5")
        int validationRechecks();

        /**
         * How writes to the original are captured: {@code auto} uses logical decoding where the server allows it
         * (wal_level=logical, a free slot, a role with REPLICATION) and the capture trigger elsewhere; {@code trigger}
         * always uses the trigger. The plan's progress says which one a rebuild uses and why ("capture: logical decoding
         * (wal_level=logical, slot shadowshift_...)" or "capture: trigger (wal_level is replica; ...)").
         */
        @WithDefault("auto")
        String capture();

        /** Log rows one apply statement takes: each round is one statement and one short transaction. */
        @WithDefault("20000")
        int applyBatchSize();

        /**
         * Before validation and cutover the log is applied until a round finds fewer pending writes than this; the
         * cutover copies the rest under its lock, where every one of them adds to the clients' wait.
         */
        @WithDefault("500")
        int cutoverMaxPending();

        /** lock_timeout of the cutover and swap-back transactions: traffic never queues behind us longer. At most 200ms. */
        @WithDefault("200ms")
        Duration cutoverLockTimeout();

        /** Attempts to take the cutover lock, each after a jittered backoff, before giving up with the original serving. */
        @WithDefault("10")
        int cutoverAttempts();

        @WithDefault("100ms")
        Duration cutoverBackoffInitial();

        @WithDefault("2s")
        Duration cutoverBackoffMax();

        /** Space the shadow copy may take: the table's total size (with indexes) x 1.2 must fit. */
        @WithDefault("10737418240")
        long freeSpaceBudgetBytes();

        /** Preflight fails while a transaction older than this is open in the target database. */
        @WithDefault("5m")
        Duration longTransactionThreshold();

        /** Backfill pauses while a replica's replay lag exceeds this. */
        @WithDefault("10s")
        Duration maxReplicationLag();

        /** Backfill pauses while more client sessions than this are active in the target database. */
        @WithDefault("64")
        int maxActiveSessions();

        /** How long backfill sleeps when throttled before it looks again. */
        @WithDefault("1s")
        Duration throttleSleep();

        /**
         * How often the rollback windows are looked after: a logical window's slot is drained into its key log (so it
         * holds back little WAL) and checked against max-slot-wal, and the windows whose time is up are closed.
         */
        @WithDefault("30s")
        Duration cleanupInterval();

        /** Backfill progress events go out this often. */
        @WithDefault("5s")
        Duration progressInterval();
    }
}
