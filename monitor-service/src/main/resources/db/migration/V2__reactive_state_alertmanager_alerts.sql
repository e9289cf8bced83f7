-- The monitor's state for issue 15/19: Alertmanager-shaped alerts (fingerprints of the labels, severity among them),
-- pending periods, silences, what each poll left for the next, and the facts taken from backup events.

-- One row per alert series (a rule on a target about one object, whatever its severity) while it is pending,
-- firing, or owed to consumers; forgotten once resolved and announced. The history keeps the episodes.
CREATE TABLE alert_state (
    series         text PRIMARY KEY,
    alertname      text             NOT NULL,
    target         text             NOT NULL,
    identity       jsonb            NOT NULL,
    info_since     timestamptz,
    warning_since  timestamptz,
    critical_since timestamptz,
    firing         text CHECK (firing IN ('info', 'warning', 'critical')),
    fired_at       timestamptz,
    sent           text CHECK (sent IN ('info', 'warning', 'critical')),
    sent_starts_at timestamptz,
    last_sent_at   timestamptz,
    annotations    jsonb            NOT NULL DEFAULT '{}'::jsonb,
    value          double precision NOT NULL DEFAULT 0,
    threshold      double precision,
    last_seen_at   timestamptz,
    suppressed_by  text,
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT alert_state_firing_has_start CHECK ((firing IS NULL) = (fired_at IS NULL)),
    CONSTRAINT alert_state_sent_has_start CHECK ((sent IS NULL) = (sent_starts_at IS NULL))
);
CREATE INDEX alert_state_by_target ON alert_state (target);

-- One row per firing episode: an alert (one fingerprint) from when it started firing until it stopped.
CREATE TABLE alert_history (
    id          bigserial PRIMARY KEY,
    fingerprint text        NOT NULL,
    series      text,
    alertname   text        NOT NULL,
    target      text        NOT NULL,
    severity    text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    labels      jsonb       NOT NULL,
    annotations jsonb       NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz
);
CREATE UNIQUE INDEX alert_history_one_open_episode ON alert_history (fingerprint) WHERE ends_at IS NULL;
CREATE INDEX alert_history_recent ON alert_history (coalesce(ends_at, starts_at) DESC, id DESC);

-- v1 episodes carried other fingerprints and upper-case values: they become closed history
INSERT INTO alert_history (fingerprint, series, alertname, target, severity, labels, annotations, starts_at, ends_at)
SELECT fingerprint, NULL, rule, target, lower(severity), labels || jsonb_build_object('alertname', rule, 'target', target),
       jsonb_build_object('summary', summary, 'description', summary, 'value', value::text, 'threshold', threshold::text),
       starts_at, coalesce(ends_at, now())
FROM alerts;
DROP TABLE alerts;

-- Alertmanager-style silences: matchers on the labels ({"matchers": [...]}), a time range, who and why.
CREATE TABLE silences (
    id         uuid PRIMARY KEY,
    matchers   jsonb       NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    created_by text        NOT NULL,
    comment    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT silences_end_after_start CHECK (ends_at > starts_at)
);
CREATE INDEX silences_active ON silences (ends_at);

-- Per target, what the last evaluation left: each rule's outcome (for the dashboard), the cumulative counters the
-- next poll compares with, and database size samples over the growth window.
CREATE TABLE rule_evaluations (
    target       text PRIMARY KEY,
    evaluated_at timestamptz NOT NULL,
    reachable    boolean     NOT NULL,
    outcomes     jsonb       NOT NULL,
    stats        jsonb,
    sizes        jsonb,
    slow_read_at timestamptz
);

-- The newest backup-completed and backup-failed of each target (their CloudEvent times), for backup_too_old and
-- backup_failed.
CREATE TABLE backup_status (
    target             text PRIMARY KEY,
    last_completed_at  timestamptz,
    last_failed_at     timestamptz,
    last_failed_reason text
);

CREATE INDEX migration_progress_running ON migration_progress (target) WHERE status IN ('STARTED', 'RUNNING');
