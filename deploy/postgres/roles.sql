-- One login role per service, each with only what its work needs. The passwords come in as psql variables, e.g.
--   psql -v schema_password=... -v migration_password=... -v backup_password=... -v monitor_password=... -f roles.sql
-- or from the environment through \getenv, as deploy/postgres/20-roles.sh does. Run it as a superuser after init.sql,
-- which creates the databases and pg_stat_statements in the target.
--
-- The tests apply this file too (the testkit bundles it): the roles once per server, the statements naming a state
-- database to each service's fresh state database, those naming shadowshift_target and those after
-- "\connect shadowshift_target" in each fresh target database. So: each statement ends a line with ";", names at
-- most one database, and nothing below the \connect but what belongs in the target database.
\set ON_ERROR_STOP on

CREATE ROLE shadowshift_schema LOGIN PASSWORD :'schema_password';
-- REPLICATION: change capture during shadow migrations reads a logical replication slot
CREATE ROLE shadowshift_migration LOGIN REPLICATION PASSWORD :'migration_password';
-- CREATEDB: the scratch databases it verifies backups in and the new restore_* databases it restores into (it owns
-- them, so it may drop them; it can restore into no database it did not create)
CREATE ROLE shadowshift_backup LOGIN CREATEDB PASSWORD :'backup_password';
CREATE ROLE shadowshift_monitor LOGIN PASSWORD :'monitor_password';
-- pg_dump reads every table and sequence of the target
GRANT pg_read_all_data TO shadowshift_backup;
-- other roles' sessions, queries, locks and statistics (pg_stat_activity, pg_locks, pg_stat_statements)
GRANT pg_monitor TO shadowshift_monitor;

-- each service owns its state database (Flyway creates its tables in its public schema) and nobody else connects to it
ALTER DATABASE shadowshift_schema OWNER TO shadowshift_schema;
REVOKE CONNECT ON DATABASE shadowshift_schema FROM PUBLIC;
ALTER DATABASE shadowshift_migration OWNER TO shadowshift_migration;
REVOKE CONNECT ON DATABASE shadowshift_migration FROM PUBLIC;
ALTER DATABASE shadowshift_backup OWNER TO shadowshift_backup;
REVOKE CONNECT ON DATABASE shadowshift_backup FROM PUBLIC;
ALTER DATABASE shadowshift_monitor OWNER TO shadowshift_monitor;
REVOKE CONNECT ON DATABASE shadowshift_monitor FROM PUBLIC;

-- The target: migration-worker owns the database, so its public schema and the schemas it creates for the specs and
-- for its own capture objects; the others only CONNECT (PUBLIC keeps it), which lets schema-service read the catalog.
-- CREATE is the owner's anyway; granted by name because logical replication (publications) needs it even where
-- someone else owns the database.
ALTER DATABASE shadowshift_target OWNER TO shadowshift_migration;
GRANT CREATE ON DATABASE shadowshift_target TO shadowshift_migration;

\connect shadowshift_target
-- A shadow rebuild marks its own writes with a replication origin so that its slot leaves them out; these functions
-- are superuser-only until granted. Not pg_replication_origin_advance or the _xact_ functions: moving an origin's
-- position could make a subscription on this database skip changes, and the worker never needs that.
GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), pg_replication_origin_drop(text),
    pg_replication_origin_oid(text), pg_replication_origin_progress(text, boolean),
    pg_replication_origin_session_setup(text), pg_replication_origin_session_reset(),
    pg_replication_origin_session_is_setup(), pg_replication_origin_session_progress(boolean)
    TO shadowshift_migration;
-- sequence_exhaustion reads pg_sequences.last_value, which PostgreSQL shows only to roles with SELECT (or USAGE) on
-- the sequence: SELECT on the sequences migration-worker creates, rather than pg_read_all_data on every table
ALTER DEFAULT PRIVILEGES FOR ROLE shadowshift_migration GRANT SELECT ON SEQUENCES TO shadowshift_monitor;
