#!/usr/bin/env bash
# The test command: every test of the workspace against the local PostgreSQL.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test api brands`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh

# Databases left behind by an interrupted earlier run.
psql -h 127.0.0.1 -U postgres -d postgres -Atc \
  "SELECT datname FROM pg_database WHERE datname LIKE 'bg\_test\_%' OR datname = 'bg_bench_smoke'" |
  while read -r db; do psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done

# The browser tests drive Debian's Chromium (playwright-core never downloads a browser).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  echo "installing chromium for the browser tests (once)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# The replica and PgBouncer tests start Debian's pgbouncer (and PostgreSQL's own initdb,
# pg_basebackup and pg_ctl, which come with the server).
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "installing pgbouncer for the pooler tests (once)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq pgbouncer >/dev/null
fi

# The GraphQL-over-HTTP audit's Node packages, pinned by their lockfile.
if [ ! -d tests/conformance/node_modules/graphql-http ]; then
  npm ci --no-audit --no-fund --prefix tests/conformance
fi

cargo test --workspace "$@"
