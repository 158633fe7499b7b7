#!/usr/bin/env bash
# GBDT on aggregates vs GRU on sequences vs GRU + static on the simulator's
# temporal churn drivers (release build; see sequence_auc.lua for the design).
# Usage: scripts/bench/sequence_auc.sh [users = 20000] [epochs = 8] [hidden = 32]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
echo "load: $(uptime)"
CHURNLAB_THREADS="${THREADS:-2}" .build/release/churnlab run scripts/bench/sequence_auc.lua "$@" | grep RESULT | sed 's/^RESULT //'
