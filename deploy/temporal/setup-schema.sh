#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases before the server starts: run by the
# temporal-schema service of docker-compose.yml (temporalio/admin-tools image) and by
# `npm start -- --cluster` with the SQL tool and schema files built from the server's Go module.
# Settings from deploy/temporal/temporal.env (DB, DBNAME, VISIBILITY_DBNAME) plus POSTGRES_SEEDS,
# DB_PORT, POSTGRES_USER and SQL_PASSWORD. Idempotent: `create` fails when the database exists, the
# schema steps skip what is there.
set -eu
TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
SCHEMA="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"
sql() { "$TOOL" --plugin "$DB" --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" --db "$@"; }
for db in "$DBNAME" "$VISIBILITY_DBNAME"; do
  sql "$db" create || echo "database $db exists"
done
sql "$DBNAME" setup-schema -v 0.0 || true
sql "$DBNAME" update-schema -d "$SCHEMA/temporal/versioned"
sql "$VISIBILITY_DBNAME" setup-schema -v 0.0 || true
sql "$VISIBILITY_DBNAME" update-schema -d "$SCHEMA/visibility/versioned"
echo "Temporal schemas are up to date"
