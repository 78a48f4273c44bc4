#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases: run by the temporal-schema service of
# docker-compose.yml before the server starts. Idempotent: `create` may fail because the database
# exists, the schema steps skip what is there.
set -eu
SQL="temporal-sql-tool --plugin postgres12 --ep ${POSTGRES_SEEDS} -u ${POSTGRES_USER} -p ${DB_PORT}"
for db in temporal temporal_visibility; do
  $SQL --db "$db" create || echo "database $db exists"
done
$SQL --db temporal setup-schema -v 0.0 || true
$SQL --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
$SQL --db temporal_visibility setup-schema -v 0.0 || true
$SQL --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo "Temporal schemas are up to date"
