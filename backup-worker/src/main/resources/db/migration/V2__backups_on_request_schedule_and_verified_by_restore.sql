-- Backups are made for a plan, on request or on a target's schedule; the last two have no plan. A backup is RUNNING
-- while pg_dump and its verification run, VERIFIED when a restore into a scratch database held the rows counted at
-- dump time, CORRUPT when a verification found it does not restore as it was made, FAILED when it could not be made
-- or verified, EXPIRED once retention removed its archive.
ALTER TABLE backups ALTER COLUMN plan_id DROP NOT NULL;
ALTER TABLE backups DROP CONSTRAINT backups_status_check;
ALTER TABLE backups ADD CONSTRAINT backups_status_check
    CHECK (status IN ('RUNNING', 'VERIFIED', 'CORRUPT', 'FAILED', 'EXPIRED'));
ALTER TABLE backups
    ADD COLUMN trigger            text    NOT NULL DEFAULT 'PLAN' CHECK (trigger IN ('PLAN', 'MANUAL', 'SCHEDULED')),
    ADD COLUMN whole_database     boolean NOT NULL DEFAULT false,
    -- [{"schema", "table", "rows", "restoredRows"}]: rows counted at dump time in the dump's snapshot, and in the last restore
    ADD COLUMN table_rows         jsonb,
    -- by an operator (POST /backups/{id}/pin)
    ADD COLUMN pinned             boolean NOT NULL DEFAULT false,
    -- a plan's backup is pinned until the plan's rollback window closes (null: released), at the latest until this time
    ADD COLUMN plan_pinned_until  timestamptz,
    ADD COLUMN plan_strategy      text,
    ADD COLUMN finished_at        timestamptz,
    -- when a verification found it CORRUPT (the time its backup-failed carries)
    ADD COLUMN corrupt_at         timestamptz,
    ADD COLUMN dump_seconds       double precision,
    ADD COLUMN verify_seconds     double precision,
    -- the last verification that could not run (no CREATEDB, server down): it says nothing about the archive
    ADD COLUMN last_verify_error  text;

-- backups kept before this version were verified by their table of contents only; they count as VERIFIED and the
-- first re-verification restores them
UPDATE backups SET finished_at = created_at WHERE status <> 'RUNNING';

CREATE INDEX backups_by_target ON backups (target, created_at DESC);
DROP INDEX backups_expiry;
