#!/usr/bin/env bash
# Policies and off-policy evaluation: ChurnLab (release) beside Open Bandit Pipeline 0.5.7 on the
# campaign simulator (4 actions: none, push, email, coupon), 20 seeds.
# Usage: scripts/bench/policy_bench.sh [decision rows = 1000000] [rounds = 100000]
#   venv: $CHURNLAB_BENCH_VENV, else .venv-ref, with obp installed as scripts/reference/obp_import.py says.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"; ROUNDS="${2:-100000}"
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
OUT="$(mktemp -d)/policy"
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
uptime
echo "== ChurnLab (release)"
.build/release/churnlab run scripts/bench/policy_bench.lua "$N" "$ROUNDS" "$OUT" | sed 's/^RESULT //'
if [ -x "$VENV/bin/python" ]; then
  echo "== Open Bandit Pipeline 0.5.7 (same logs)"
  "$VENV/bin/python" scripts/bench/policy_obp.py "$OUT" 20 2>/dev/null | sed 's/^RESULT //'
else
  echo "(no Python venv at $VENV: obp skipped)"
fi
rm -rf "$(dirname "$OUT")"
