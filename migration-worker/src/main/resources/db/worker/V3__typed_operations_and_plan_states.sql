-- Plans run typed operations (spec-changed v2), rendered by the worker; the plan's state and control request are
-- enums, the same as the worker's PlanState and PlanControl.
CREATE TYPE plan_state AS ENUM ('AWAITING_APPROVAL', 'AWAITING_BACKUP', 'READY', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED',
                                'CANCELLED', 'ROLLED_BACK', 'NOTHING_TO_DO');
CREATE TYPE plan_control AS ENUM ('PAUSE', 'CANCEL');

-- a plan made from a spec-changed v1 event would run the SQL text that event carried: it never runs
UPDATE migration_plans
SET status = 'FAILED', finished_at = now(), updated_at = now(),
    error = 'planned from a spec-changed v1 event, whose SQL this worker no longer runs; submit the spec again'
WHERE status IN ('AWAITING_APPROVAL', 'AWAITING_BACKUP', 'READY', 'RUNNING', 'PAUSED');

DROP INDEX migration_plans_resumable;
ALTER TABLE migration_plans DROP CONSTRAINT migration_plans_status_check;
ALTER TABLE migration_plans ALTER COLUMN status TYPE plan_state USING status::plan_state;
ALTER TABLE migration_plans DROP CONSTRAINT migration_plans_control_check;
ALTER TABLE migration_plans ALTER COLUMN control TYPE plan_control USING control::plan_control;
CREATE INDEX migration_plans_resumable ON migration_plans (status) WHERE status IN ('READY', 'RUNNING');

-- the typed change of each in-place step, with its types as the server spells them: what execution renders from
ALTER TABLE migration_plans ADD COLUMN operations jsonb NOT NULL DEFAULT '[]';
-- why the plan waits for an operator, in words
ALTER TABLE migration_plans ADD COLUMN hold_reason text;
