#!/usr/bin/env bash
# PostgreSQL image init step (docker-entrypoint-initdb.d, after 10-shadowshift.sql): the services' roles from
# roles.sql, their passwords taken from the environment by psql's \getenv, so they never appear on a command line.
set -euo pipefail
for v in SHADOWSHIFT_SCHEMA_DB_PASSWORD SHADOWSHIFT_MIGRATION_DB_PASSWORD SHADOWSHIFT_BACKUP_DB_PASSWORD SHADOWSHIFT_MONITOR_DB_PASSWORD; do
  [ -n "${!v:-}" ] || { echo "20-roles.sh: $v is not set" >&2; exit 1; }
done
{
  echo '\getenv schema_password SHADOWSHIFT_SCHEMA_DB_PASSWORD'
  echo '\getenv migration_password SHADOWSHIFT_MIGRATION_DB_PASSWORD'
  echo '\getenv backup_password SHADOWSHIFT_BACKUP_DB_PASSWORD'
  echo '\getenv monitor_password SHADOWSHIFT_MONITOR_DB_PASSWORD'
  cat "${SHADOWSHIFT_ROLES_SQL:-/shadowshift/roles.sql}"
} | psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname postgres
