#!/usr/bin/env bash
# The benchmark: release build, then the full dataset, HTTP query shapes and subscription
# fan-out. Extra arguments go to the bench (see `target/release/bench --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
cargo build --release -p brandgraph -p bench --bins
exec target/release/bench "$@"
