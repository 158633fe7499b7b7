#!/usr/bin/env bash
# Recommenders: ChurnLab (release) popularity / item-kNN / ALS beside `implicit`
# on the same latent-taste data (default 400 users × 40 items; try 20000 1000),
# NDCG@5 on each user's two held-out taste items, 2 threads each.
# Usage: scripts/bench/recommend_bench.sh [users] [items]
#   venv: $CHURNLAB_BENCH_VENV, else .venv-ref (pip install implicit scipy)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHURNLAB_THREADS="${CHURNLAB_THREADS:-2}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_NUM_THREADS=1
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
echo "== ChurnLab (release, $CHURNLAB_THREADS threads)"
.build/release/churnlab run scripts/bench/recommend_bench.lua "${1:-400}" "${2:-40}" | sed 's/^RESULT //'
if [ -x "$VENV/bin/python" ]; then
  echo "== implicit $("$VENV/bin/python" -c 'import implicit; print(implicit.__version__)') (threads $OMP_NUM_THREADS)"
  "$VENV/bin/python" scripts/bench/recommend_peers.py "${1:-400}" "${2:-40}" | sed 's/^RESULT //'
else
  echo "(no Python venv at $VENV: peers skipped)"
fi
