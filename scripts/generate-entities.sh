#!/usr/bin/env bash
# Regenerates entity/src from a freshly migrated scratch database.
# Usage: scripts/generate-entities.sh [--check]
#   --check  generate into a temporary folder and fail if it differs from entity/src.
set -euo pipefail
cd "$(dirname "$0")/.."

SEA_ORM_CLI_VERSION=2.0.4
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
DB=brandgraph_entities_$$
out=entity/src
[ "${1:-}" = "--check" ] && out=$(mktemp -d)

if ! sea-orm-cli --version 2>/dev/null | grep -q "$SEA_ORM_CLI_VERSION"; then
  echo "installing sea-orm-cli $SEA_ORM_CLI_VERSION (about 2 minutes, once)"
  cargo install "sea-orm-cli@$SEA_ORM_CLI_VERSION" --locked --no-default-features \
    --features codegen,runtime-tokio-rustls,sqlx-postgres
fi

psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
trap 'psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT

DATABASE_URL="$PGURL_BASE/$DB" cargo run -q -p migration -- up
rm -f "$out"/*.rs
# Partitions (change_events' days) are storage, not entities; their names change daily.
partitions=$(psql "$PGURL_BASE/$DB" -Atc "SELECT string_agg(relname, ',') FROM pg_class WHERE relispartition")
sea-orm-cli generate entity -u "$PGURL_BASE/$DB" -o "$out" --lib \
  --ignore-tables "seaql_migrations${partitions:+,$partitions}" \
  --with-serde both --entity-format dense >/dev/null

if [ "${1:-}" = "--check" ]; then
  if ! diff -ru entity/src "$out"; then
    echo "entity/ is out of date: run scripts/generate-entities.sh and commit the result" >&2
    exit 1
  fi
  echo "entity/ matches the migrations"
fi
