-- One row per spec-changed event the worker planned. plan holds the full migration-planned payload
-- (steps and pending changes) so the REST API and a resumed execution read exactly what was announced.
CREATE TABLE migration_plans (
    plan_id         text PRIMARY KEY,
    spec_event_id   text        NOT NULL UNIQUE,
    subject         text        NOT NULL,
    version         integer     NOT NULL,
    target          text        NOT NULL,
    schema_name     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('AWAITING_BACKUP', 'READY', 'AWAITING_APPROVAL', 'NOTHING_TO_DO',
                                                          'RUNNING', 'COMPLETED', 'FAILED')),
    requires_backup boolean     NOT NULL,
    backup_id       text,
    plan            jsonb       NOT NULL,
    steps_total     integer     NOT NULL,
    -- steps applied and committed on the target; execution resumes after them
    steps_done      integer     NOT NULL DEFAULT 0,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);

CREATE INDEX migration_plans_created_at ON migration_plans (created_at DESC);
CREATE INDEX migration_plans_resumable ON migration_plans (status) WHERE status IN ('READY', 'RUNNING');

CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
