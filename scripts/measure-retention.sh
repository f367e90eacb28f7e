#!/usr/bin/env bash
# Retention of change_events on a large outbox, before and after partitioning:
# EVENTS events (default 10 million) spread evenly over 10 days, a 7-day window, so the
# oldest 3 days go. "before" is the unpartitioned table of migration 009 pruned by the
# row DELETE retention used to run; "after" is the migrated (partitioned) table pruned by
# drop_expired_change_event_partitions. Prints the wall time of each prune.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh >/dev/null
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
EVENTS=${EVENTS:-10000000}
DB=brandgraph_retention_$$
psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
trap 'psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
DATABASE_URL="$PGURL_BASE/$DB" cargo run -q -p migration -- up >/dev/null

fill() { # table
  psql "$PGURL_BASE/$DB" -qc "INSERT INTO $1 (topic, brand_id, op, payload, created_at)
    SELECT 'approval', NULL, 'update', jsonb_build_object('n', n),
           now() - (n::float8 / $EVENTS) * interval '10 days'
      FROM generate_series(1, $EVENTS) n"
  psql "$PGURL_BASE/$DB" -qc "VACUUM ANALYZE $1"
}
elapsed() { # sql -> seconds
  local start end
  start=$(date +%s.%N)
  psql "$PGURL_BASE/$DB" -qAtc "$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

echo "before: unpartitioned table, row DELETE ($EVENTS events over 10 days, keep 7)"
psql "$PGURL_BASE/$DB" -qc "CREATE TABLE old_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic TEXT NOT NULL, brand_id UUID,
  entity_id UUID, op TEXT NOT NULL, payload JSONB NOT NULL DEFAULT '{}',
  xid XID8 NOT NULL DEFAULT pg_current_xact_id(), created_at TIMESTAMPTZ NOT NULL DEFAULT now());
  CREATE INDEX ON old_events (topic, brand_id, seq); CREATE INDEX ON old_events (created_at);"
fill old_events
before=$(elapsed "DELETE FROM old_events WHERE created_at < now() - interval '7 days'")
left=$(psql "$PGURL_BASE/$DB" -qAtc "SELECT count(*) FROM old_events")
echo "  prune: ${before} s, ${left} events left"
psql "$PGURL_BASE/$DB" -qc "DROP TABLE old_events"

echo "after: change_events partitioned by day, expired days dropped"
for d in $(seq 1 10); do
  psql "$PGURL_BASE/$DB" -qc "DO \$\$ DECLARE day DATE := (now() AT TIME ZONE 'UTC')::date - $d; BEGIN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF change_events FOR VALUES FROM (%L) TO (%L)',
      'change_events_p' || to_char(day, 'YYYYMMDD'), day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
    END \$\$"
done
fill change_events
after=$(elapsed "SELECT drop_expired_change_event_partitions(now() - interval '7 days', 9223372036854775807)")
left=$(psql "$PGURL_BASE/$DB" -qAtc "SELECT count(*) FROM change_events")
rest=$(elapsed "DELETE FROM change_events WHERE created_at < now() - interval '7 days'")
echo "  prune: ${after} s for the whole days, then ${rest} s deleting the rest of the straddling day; ${left} events left before that delete"
