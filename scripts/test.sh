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

# The GraphQL-over-HTTP audit's Node packages, pinned by their lockfile.
if [ ! -d tests/conformance/node_modules/graphql-http ]; then
  npm ci --no-audit --no-fund --prefix tests/conformance
fi

cargo test --workspace "$@"
