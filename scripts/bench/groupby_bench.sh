#!/usr/bin/env bash
# group_by(user_id) with 5 aggregates (count, sum, mean, max ts, nunique event),
# sort_by(user_id, timestamp desc) and a left join with a 500k-user table over a
# seeded 20M-row event log: ChurnLab (release) side by side with DuckDB,
# polars and pandas on the very same data when a Python venv is available
# ($CHURNLAB_BENCH_VENV, default .venv-ref in the repo).
# Usage: scripts/bench/groupby_bench.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-20000000}"
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
DUMP="$(mktemp -d /tmp/churnlab_groupby.XXXXXX)"
trap 'rm -rf "$DUMP"' EXIT
export CHURNLAB_BENCH=1 CHURNLAB_BENCH_ROWS="$ROWS"
if [ -x "$VENV/bin/python" ]; then export CHURNLAB_BENCH_DUMP="$DUMP"; fi
swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null
swift test -c release -Xswiftc -enable-testing --skip-build --filter GroupByBench 2>&1 | grep '^BENCH'
if [ -x "$VENV/bin/python" ]; then
  "$VENV/bin/python" scripts/bench/groupby_peers.py "$DUMP"
else
  echo "BENCH (no Python venv at $VENV: peers skipped)"
fi
