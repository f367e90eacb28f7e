#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL (127.0.0.1:5432) on 127.0.0.1:5433, for
# `bench --replica-url postgres://postgres@127.0.0.1:5433`: `pg_basebackup -R` of the
# whole cluster into a temporary directory, started with `pg_ctl`. Adds a `replication`
# line for 127.0.0.1 to the cluster's pg_hba.conf when it has none (a development
# machine's cluster; never run this against a production server).
#   scripts/bench-replica.sh         # make and start it
#   scripts/bench-replica.sh stop    # stop and remove it
set -euo pipefail
dir=${BENCH_REPLICA_DIR:-/tmp/brandgraph-bench-replica}
port=${BENCH_REPLICA_PORT:-5433}
version=$(ls /etc/postgresql | sort -V | tail -n 1)
bin=/usr/lib/postgresql/$version/bin
hba=/etc/postgresql/$version/main/pg_hba.conf
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-start}" = stop ]; then
  as_postgres "$bin/pg_ctl" -D "$dir" stop -m fast 2>/dev/null || true
  rm -rf "$dir"
  exit 0
fi
if pg_isready -q -h 127.0.0.1 -p "$port"; then
  echo "a server already answers on port $port"
  exit 0
fi
if ! grep -Eq '^host[[:space:]]+replication' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >> "$hba"
  psql -h 127.0.0.1 -U postgres -Atqc "SELECT pg_reload_conf()" >/dev/null
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
chmod 700 "$dir"
echo "copying the cluster (pg_basebackup) into $dir"
as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream -c fast
# Debian keeps the configuration outside the data directory: the copy gets its own.
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '/tmp'\nhot_standby = on\n" \
  "$port" > "$dir/postgresql.conf"
printf "local all all trust\nhost all all 127.0.0.1/32 trust\n" > "$dir/pg_hba.conf"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/postgresql.conf" "$dir/pg_hba.conf"
as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start
echo "replica on 127.0.0.1:$port"
