#!/usr/bin/env bash
# How many change events a second one database commits, with and without NOTIFY
# (docs/scaling.md, *Measured*): every committing transaction that NOTIFYs takes one
# global lock at commit, so past some rate notifying writers queue behind each other.
# Each pgbench client commits one content status change at a time (the capture trigger
# writes one change event, and NOTIFYs unless `brandgraph.notify = off`), on its own row,
# as the service kind. CLIENTS (default "1 4 16 32") concurrent writers, SECS (default 10)
# each. Prints commits/s and mean latency per (clients, notify).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh >/dev/null
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
CLIENTS=${CLIENTS:-"1 4 16 32"}
SECS=${SECS:-10}
DB=brandgraph_notify_$$
psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $DB"
trap 'psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
DATABASE_URL="$PGURL_BASE/$DB" cargo run -q -p migration -- up >/dev/null

psql "$PGURL_BASE/$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
SET brandgraph.kind = 'service';
INSERT INTO tenants (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'notify');
INSERT INTO brands (id, tenant_id, name, slug)
  VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000001', 'notify', 'notify');
INSERT INTO content_items (id, brand_id, type, content)
  SELECT ('00000000-0000-0000-0001-' || lpad(n::text, 12, '0'))::uuid,
         '00000000-0000-0000-0000-0000000000b1', 'post', '{}'
    FROM generate_series(1, 64) n;
VACUUM ANALYZE;
SQL

script=$(mktemp)
cat > "$script" <<'SQL'
UPDATE content_items SET status = CASE status WHEN 'draft' THEN 'pending_review' ELSE 'draft' END
 WHERE id = ('00000000-0000-0000-0001-' || lpad(:client_id + 1 || '', 12, '0'))::uuid;
SQL
printf '%-8s %-7s %12s %12s\n' clients notify commits/s latency_ms
for clients in $CLIENTS; do
  for notify in on off; do
    out=$(PGOPTIONS="-c brandgraph.kind=service -c brandgraph.notify=$notify" \
      pgbench -n -M prepared -c "$clients" -j "$clients" -T "$SECS" -f "$script" \
      "$PGURL_BASE/$DB" 2>&1)
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    if [ -z "$tps" ]; then echo "$out" >&2; exit 1; fi
    printf '%-8s %-7s %12.0f %12s\n' "$clients" "$notify" "$tps" "$lat"
  done
done
rm -f "$script"
