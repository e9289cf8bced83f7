-- The tables each plan touches (from migration-planned), so that the monitor can watch them while the plan runs.
CREATE TABLE plan_tables (
    plan_id     text PRIMARY KEY,
    target      text        NOT NULL,
    tables      jsonb       NOT NULL,
    planned_at  timestamptz NOT NULL
);
