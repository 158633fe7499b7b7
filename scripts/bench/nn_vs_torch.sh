#!/usr/bin/env bash
# cl.nn (release) beside PyTorch CPU on the same seeded sequences
# (users × 90 days × 8 channels, cl.nn._synthetic): GRU and LSTM (hidden 64,
# batch 256, Adam 1e-3) and an MLP on 24 aggregates (64 → 32 → 1): seconds per
# epoch, test AUC (last 20 % of users), GRU/LSTM/MLP inference rows/s at batch
# 2048, and each process's peak memory (max RSS). Both on $THREADS threads.
# Measured 2026-12-03, PyTorch side only (20,000 users, 1 epoch, 2 threads, machine
# under load ≈ 12–18 from parallel builds, so not comparable to the issue's figures):
#   GRU 242.7 s/epoch AUC 0.7686, 392 rows/s; LSTM 32.2 s/epoch AUC 0.7676, 4,134 rows/s;
#   MLP 0.43 s/epoch AUC 0.7841; peak RSS 1.07 GB. The cl.nn side has not yet been
#   finished: in a release build under the same load its GRU epoch on the same data
#   did not complete within 225 s (stopped by a timeout), so no claim of a speed-up.
# Usage: scripts/bench/nn_vs_torch.sh [users = 100000] [epochs = 1]
#   venv: $CHURNLAB_BENCH_VENV, else .venv-ref with torch (see scripts/reference/nn_reference.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS="${1:-100000}"; EPOCHS="${2:-1}"; THREADS="${THREADS:-2}"
export CHURNLAB_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS"
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
echo "== ChurnLab cl.nn (release, $THREADS threads)"
/usr/bin/time -f "RESULT peak memory %M KB" .build/release/churnlab run scripts/bench/nn_vs_torch.lua "$USERS" "$EPOCHS" "$DIR" 2>&1 | grep RESULT | sed 's/^RESULT //'
if [ -x "$VENV/bin/python" ]; then
  echo "== PyTorch $("$VENV/bin/python" -c 'import torch; print(torch.__version__)') CPU ($THREADS threads)"
  /usr/bin/time -f "RESULT peak memory %M KB" "$VENV/bin/python" scripts/bench/nn_vs_torch.py "$USERS" "$EPOCHS" "$DIR" "$THREADS" 2>&1 | grep RESULT | sed 's/^RESULT //'
else
  echo "(no Python venv at $VENV: PyTorch skipped)"
fi
