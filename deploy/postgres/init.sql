-- Runs once, when the compose PostgreSQL starts on an empty volume.
-- Each service keeps its own state in its own database; the managed ("target") database is separate.
CREATE DATABASE shadowshift_schema;
CREATE DATABASE shadowshift_migration;
CREATE DATABASE shadowshift_backup;
CREATE DATABASE shadowshift_monitor;
CREATE DATABASE shadowshift_target;
\connect shadowshift_target
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
