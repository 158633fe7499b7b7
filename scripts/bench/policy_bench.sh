#!/usr/bin/env bash
# Policies and off-policy evaluation: ChurnLab (release) beside Open Bandit Pipeline 0.5.7 on the
# campaign simulator (4 actions: none, push, email, coupon), 20 seeds.
# Usage: scripts/bench/policy_bench.sh [decision rows = 1000000] [rounds = 100000]
#   venv: $CHURNLAB_BENCH_VENV, else .venv-ref, with obp installed as scripts/reference/obp_import.py says.
# Measured 2026-12-03 with a DEBUG build (no release build finished on the loaded machine, load 12-16 on 2 cores),
# 100,000 rounds x 20 seeds — accuracy figures are build-independent, times are not:
#   OPE relative RMSE vs the exact truth: ChurnLab IPS 1.13 %, SNIPS 0.26 %, DR 0.19 %;
#   obp 0.5.7 on the same logs IPS 1.13 %, SNIPS 0.26 %, DR 0.19 % (RegressionModel+Ridge and per-action Ridge alike);
#   seed 1: IPS 24.894882 / SNIPS 25.033995 identical to obp's; DR 25.064851 vs obp per-action Ridge 25.064859
#   (ChurnLab's ridge also penalises the intercept). DR time debug 4.3 s vs obp 1.58 s: release figure still missing.
#   Regret over 100,000 users (oracle 27.1946/user): risk rule 136,229; treat none 101,136; email all 25,687;
#   greedy learned from the rule's logs 43,806; online (50 batches of 2,000) epsilon-greedy 36,154, LinUCB 20,192,
#   Thompson 21,847 — all online learners beat the rule. Decisions/s: debug only (0.06 M/s), release not measured.
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
