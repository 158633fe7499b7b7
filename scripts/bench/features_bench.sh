#!/usr/bin/env bash
# Feature-builder benchmark: 20M events / 1M users (override with
# CHURNLAB_BENCH_EVENTS / CHURNLAB_BENCH_USERS), ChurnLab vs polars vs DuckDB SQL
# on the same seeded data and spec. Peers run when the venv has them
# ($CHURNLAB_BENCH_VENV, default .venv-ref in the repo).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHURNLAB_BENCH=1
export CHURNLAB_BENCH_DIR="${CHURNLAB_BENCH_DIR:-/tmp/churnlab_bench_features}"
# @testable imports in the test target need -enable-testing in release.
swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null
swift test -c release -Xswiftc -enable-testing --skip-build --filter 'FeatureBenchTests.testBench(Features|Simulator)' 2>&1 | grep '^bench' || {
  echo "swift bench failed"; exit 1; }
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
if [ -x "$VENV/bin/python" ]; then
  for peer in polars duckdb; do
    if "$VENV/bin/python" -c "import $peer" 2>/dev/null; then
      "$VENV/bin/python" scripts/bench/features_$peer.py "$CHURNLAB_BENCH_DIR"
    else
      echo "bench features $peer: not installed in $VENV"
    fi
  done
else
  echo "no Python venv at $VENV: peers skipped"
fi
