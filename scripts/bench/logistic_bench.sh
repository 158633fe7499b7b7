#!/usr/bin/env bash
# Logistic regression benchmark: ChurnLab vs scikit-learn on a seeded
# 1,000,000-row × 40-feature table (80/20 split), L2 with C = 1.
# Usage: scripts/bench/logistic_bench.sh [rows]   (CHURNLAB_THREADS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
export CHURNLAB_THREADS="${CHURNLAB_THREADS:-2}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
DATA="$(mktemp -d)"; trap 'rm -rf "$DATA"' EXIT
# The tests use @testable import, so the release build needs -enable-testing.
FLAGS=(-c release -Xswiftc -enable-testing)
swift build "${FLAGS[@]}" --build-tests 2>&1 | grep -E "error|Compiling|Build complete" | grep -v Compiling || true
echo "== ChurnLab (release, $CHURNLAB_THREADS threads)"
OUT=""
[ -x "$VENV/bin/python" ] && OUT="$DATA"
CHURNLAB_BENCH=1 CHURNLAB_BENCH_ROWS="$ROWS" CHURNLAB_BENCH_DATA_OUT="$OUT" \
  swift test "${FLAGS[@]}" --skip-build --filter LinearBenchTests/testBenchLogistic 2>&1 | grep -E "^(data|RESULT)" | sed 's/^RESULT //'
if [ -n "$OUT" ]; then
  echo "== scikit-learn ($("$VENV/bin/python" -c 'import sklearn; print(sklearn.__version__)'), OMP threads $OMP_NUM_THREADS)"
  "$VENV/bin/python" scripts/bench/logistic_peers.py "$DATA" | sed 's/^RESULT //'
else
  echo "(no Python venv at $VENV: peers skipped)"
fi
