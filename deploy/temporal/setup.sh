#!/bin/sh
# Sets up a Temporal cluster on PostgreSQL for this service, idempotently, in two steps:
#   setup.sh schema      creates both databases and brings their schemas to the server's version (temporal-sql-tool)
#   setup.sh namespace   waits for the server, then creates the namespace if it does not exist (temporal CLI)
# docker-compose.yml runs it in the temporalio/admin-tools image (its `temporal-schema` and `temporal-namespace`
# jobs); `npm run scale` runs it with the binaries scripts/ensure-temporal-server and scripts/ensure-temporal found.
# Settings come from deploy/temporal/server.env plus POSTGRES_SEEDS, DB_PORT, SCHEMA_DIR, TEMPORAL_ADDRESS.
set -eu

sql_tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
cli="${TEMPORAL_CLI:-temporal}"
schema_dir="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

sql() { # <database> <command…>
  database="$1"
  shift
  "$sql_tool" --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" \
    --db "$database" "$@"
}

case "${1:-}" in
  schema)
    for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
      database="${pair%%:*}"
      schema="${pair#*:}"
      sql "$database" create-database 2>/dev/null || echo "setup.sh: database $database exists"
      # setup-schema -v 0.0 only creates the version table; it fails harmlessly once the schema is there.
      sql "$database" setup-schema -v 0.0 2>/dev/null || echo "setup.sh: $database already has a schema"
      sql "$database" update-schema -d "$schema_dir/$schema/versioned"
    done
    ;;
  namespace)
    namespace="${TEMPORAL_NAMESPACE:-default}"
    address="${TEMPORAL_ADDRESS:-temporal:7233}"
    tries=0
    until "$cli" operator cluster health --address "$address" 2>/dev/null | grep -q SERVING; do
      tries=$((tries + 1))
      [ "$tries" -lt 120 ] || { echo "setup.sh: Temporal at $address did not answer in 2 minutes" >&2; exit 1; }
      sleep 1
    done
    if "$cli" operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
      echo "setup.sh: namespace $namespace exists"
    else
      "$cli" operator namespace create --address "$address" --namespace "$namespace" --retention "${NAMESPACE_RETENTION:-7d}"
    fi
    ;;
  *)
    echo "usage: setup.sh schema|namespace" >&2
    exit 2
    ;;
esac
