-- The backup catalog: one backup per plan (plan_id UNIQUE is also the redelivery guard: a plan is dumped once).
CREATE TABLE backups (
    backup_id       text PRIMARY KEY,
    plan_id         text        NOT NULL UNIQUE,
    target          text        NOT NULL,
    tables          text[]      NOT NULL,
    location        text,
    format          text        NOT NULL DEFAULT 'custom',
    size_bytes      bigint,
    sha256          text,
    archive_entries integer,
    status          text        NOT NULL CHECK (status IN ('VERIFIED', 'FAILED', 'EXPIRED')),
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    verified_at     timestamptz,
    expires_at      timestamptz
);

CREATE INDEX backups_expiry ON backups (expires_at) WHERE status = 'VERIFIED';

CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
