#!/usr/bin/env bash
# Does the simulator's churn depend on temporal patterns that the aggregates
# miss? GBDT (scikit-learn's HistGradientBoosting) on the 54 aggregates of
# sequence_auc.lua, alone and with flags read off the daily logins (a
# weekly rhythm of >= 4 weeks broken within 28 days; a return from a >= 14-day
# gap within 28 days; a lost daily streak within 14 days), on held-out users; then the same among rows active in
# the last 7 / 14 days. If the flags lift GBDT, the signal is in the sequences.
# Measured 2026-12-03 (debug export, 10,000 users, seed 7, 15,577 rows):
#   drivers v2 (TemporalHabits history): agg 0.8896 → agg + flags 0.8910
#   drivers v3: agg 0.9040 → 0.9061; recency ≤ 7: 0.6751 → 0.6796; ≤ 14: 0.8254 → 0.8294
# Same v3 data, PyTorch 2.13 GRU (hidden 32 → ReLU 32 → 1, Adam 3e-3, clip 1, batch 256,
# 5 epochs, log1p counts; the aggregates standardised into the head), best validation epoch:
#   GRU on sequences 0.8881 | GRU + aggregates 0.9000 | GBDT 0.9040 (load 6–15). Still short
#   of GBDT + 0.01: the GRU + aggregates was still rising (0.8918 → 0.9000 over 5 epochs).
# drivers v4 (a lost daily streak raises the hazard; see TemporalHabits), 2026-12-04, release
# export, 10,000 users, load 1.9–3.9: a third flag, a run of >= 3 active days lost within the
# last 14 days (7.1 % of rows, churn 0.77 vs 0.36): agg 0.8845 → agg + flags 0.8966 (+0.012);
# recency <= 7: 0.7323 → 0.7717; <= 14: 0.8042 → 0.8264. The signal is there and learnable.
# Usage: scripts/bench/sequence_signal_check.sh [users = 10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib_venv.sh
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
ensure_bench_venv "$VENV" numpy pandas scikit-learn
BIN=.build/release/churnlab; [ -x "$BIN" ] || BIN=.build/debug/churnlab
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
"$BIN" run scripts/bench/sequence_signal_check.lua "${1:-10000}" "$DIR"
"$VENV/bin/python" scripts/bench/sequence_signal_check.py "$DIR"
