#!/usr/bin/env bash
# GBDT benchmark: ChurnLab vs LightGBM (+ XGBoost, scikit-learn HistGradientBoosting when installed).
# 1,000,000 rows x (40 numeric + 5 categorical), 80/20 split, 2 threads, 200 trees, lr 0.1, 63 leaves.
# Env: CHURNLAB_BENCH_VENV (default .venv-ref in the repo), CHURNLAB_BENCH_DATA (default /tmp/churnlab_bench_data),
#      CHURNLAB_BENCH_THREADS (default 2), CHURNLAB_BENCH_PEERS (default "lightgbm xgboost sklearn").
set -euo pipefail
cd "$(dirname "$0")/../.."
exec "$(dirname "$0")/run_model_bench.sh" gbdt "${CHURNLAB_BENCH_PEERS:-lightgbm xgboost sklearn}"
