-- Shadow-table migrations: plans gain control states and the rebuilds their SHADOW_TABLE steps stand for;
-- every rebuild's phase and backfill position are checkpointed so that a restarted worker resumes exactly there.
ALTER TABLE migration_plans DROP CONSTRAINT migration_plans_status_check;
ALTER TABLE migration_plans ADD CONSTRAINT migration_plans_status_check
    CHECK (status IN ('AWAITING_BACKUP', 'READY', 'AWAITING_APPROVAL', 'NOTHING_TO_DO', 'RUNNING', 'PAUSED',
                      'COMPLETED', 'FAILED', 'CANCELLED', 'ROLLED_BACK'));
-- the consolidated rebuilds (table, column changes) behind the plan's SHADOW_TABLE steps
ALTER TABLE migration_plans ADD COLUMN shadow_rebuilds jsonb NOT NULL DEFAULT '[]';
-- what a REST call asked of a running plan (PAUSE, CANCEL); the engine reads it between batches
ALTER TABLE migration_plans ADD COLUMN control text CHECK (control IN ('PAUSE', 'CANCEL'));
ALTER TABLE migration_plans ADD COLUMN approved_at timestamptz;

DROP INDEX migration_plans_resumable;
CREATE INDEX migration_plans_resumable ON migration_plans (status) WHERE status IN ('READY', 'RUNNING');

CREATE TABLE shadow_migrations (
    plan_id          text        NOT NULL REFERENCES migration_plans (plan_id),
    schema_name      text        NOT NULL,
    table_name       text        NOT NULL,
    -- the last checkpoint reached, in order: PREPARED, SHADOW_CREATED, BACKFILLING, BACKFILLED, OPTIMIZED,
    -- VALIDATED, CUT_OVER; and the ends: CLEANED (rollback point dropped), ROLLED_BACK, ABANDONED (shadow dropped)
    phase            text        NOT NULL,
    shadow_table     text        NOT NULL,
    rollback_table   text        NOT NULL,
    preflight        jsonb,
    -- backfill: keys as text, one element per primary-key column
    high_water_mark  text[],
    last_key         text[],
    rows_copied      bigint      NOT NULL DEFAULT 0,
    rows_total       bigint,
    batch_size       integer,
    reverse_sync     boolean     NOT NULL DEFAULT false,
    cut_over_at      timestamptz,
    rollback_until   timestamptz,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, table_name)
);

CREATE INDEX shadow_migrations_retention ON shadow_migrations (rollback_until) WHERE phase = 'CUT_OVER';
