-- One row per alert episode. The FIRING row is the alert's memory across polls and restarts; RESOLVED rows are history.
CREATE TABLE alerts (
    id           bigserial PRIMARY KEY,
    fingerprint  text             NOT NULL,
    rule         text             NOT NULL,
    target       text             NOT NULL,
    severity     text             NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    status       text             NOT NULL CHECK (status IN ('FIRING', 'RESOLVED')),
    labels       jsonb            NOT NULL DEFAULT '{}'::jsonb,
    summary      text             NOT NULL,
    value        double precision NOT NULL,
    threshold    double precision NOT NULL,
    starts_at    timestamptz      NOT NULL,
    ends_at      timestamptz,
    last_seen_at timestamptz      NOT NULL,
    CONSTRAINT alerts_resolved_has_end CHECK ((status = 'RESOLVED') = (ends_at IS NOT NULL))
);

-- an alert fires at most once at a time
CREATE UNIQUE INDEX alerts_one_firing_episode ON alerts (fingerprint) WHERE status = 'FIRING';
CREATE INDEX alerts_firing_by_target ON alerts (target) WHERE status = 'FIRING';
CREATE INDEX alerts_recent ON alerts (coalesce(ends_at, last_seen_at) DESC, id DESC);

-- latest migration-progress event per plan, for the dashboard
CREATE TABLE migration_progress (
    plan_id         text             PRIMARY KEY,
    target          text             NOT NULL,
    status          text             NOT NULL,
    phase           text             NOT NULL,
    steps_done      integer          NOT NULL,
    steps_total     integer          NOT NULL,
    message         text,
    rows_copied     bigint,
    rows_total      bigint,
    rows_per_second double precision,
    eta_seconds     bigint,
    event_id        text             NOT NULL,
    event_time      timestamptz      NOT NULL,
    received_at     timestamptz      NOT NULL DEFAULT now()
);

-- redelivery guard (dev.shadowshift.pg.ProcessedEvents)
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
