-- One login role per service, each with only what its work needs (minimal version for the compose file; the
-- passwords come in as psql variables, e.g.
--   psql -v schema_password=... -v migration_password=... -v backup_password=... -v monitor_password=... -f roles.sql
-- or from the environment through \getenv, as deploy/postgres/20-roles.sh does). Runs after init.sql, which creates
-- the databases.
\set ON_ERROR_STOP on

CREATE ROLE shadowshift_schema LOGIN PASSWORD :'schema_password';
-- logical replication for change capture during shadow migrations
CREATE ROLE shadowshift_migration LOGIN REPLICATION PASSWORD :'migration_password';
-- scratch databases for verifying a backup by restoring it
CREATE ROLE shadowshift_backup LOGIN CREATEDB PASSWORD :'backup_password';
CREATE ROLE shadowshift_monitor LOGIN PASSWORD :'monitor_password';

-- each service owns its state database (Flyway creates its tables there) and nobody else connects to it
ALTER DATABASE shadowshift_schema OWNER TO shadowshift_schema;
ALTER DATABASE shadowshift_migration OWNER TO shadowshift_migration;
ALTER DATABASE shadowshift_backup OWNER TO shadowshift_backup;
ALTER DATABASE shadowshift_monitor OWNER TO shadowshift_monitor;
REVOKE CONNECT ON DATABASE shadowshift_schema, shadowshift_migration, shadowshift_backup, shadowshift_monitor FROM PUBLIC;

-- the target: migration-worker changes its tables (it owns the database, so its public schema);
-- backup-worker reads everything to dump it; monitor-service reads the statistics views;
-- schema-service reads the catalog, which CONNECT allows
ALTER DATABASE shadowshift_target OWNER TO shadowshift_migration;
GRANT pg_read_all_data TO shadowshift_backup;
GRANT pg_monitor TO shadowshift_monitor;
