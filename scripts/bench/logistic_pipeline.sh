#!/usr/bin/env bash
# Issue 19 item 0: logistic regression at scale behind a prep pipeline,
# ChurnLab vs scikit-learn, on the model-benchmark table (gen_model_table.py:
# 1,000,000 rows, 40 numeric + 5 categorical, first 800,000 rows train):
#   ChurnLab:     cl.prep.pipeline{imputer(mean), standard_scaler, one_hot}
#                 + cl.model.logistic{C = 1} via fit{prep =} (default stopping rule)
#   scikit-learn: ColumnTransformer(SimpleImputer + StandardScaler, OneHotEncoder)
#                 + LogisticRegression(C=1, lbfgs) at tol 1e-4 (its default) and
#                 tighter tols, so the times can be read at equal training log-loss.
# Usage: scripts/bench/logistic_pipeline.sh [TRAIN_ROWS]   (default 800000; data rows = TRAIN_ROWS / 0.8)
# Env: CHURNLAB_BENCH_VENV (default .venv-ref in the repo; created with scikit-learn when
#      missing), CHURNLAB_BENCH_DATA (default /tmp/churnlab_bench_data), CHURNLAB_BENCH_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
TRAIN=${1:-800000}
ROWS=$(( TRAIN * 5 / 4 ))
THREADS=${CHURNLAB_BENCH_THREADS:-2}
VENV=${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}
DATA=${CHURNLAB_BENCH_DATA:-/tmp/churnlab_bench_data$([ "$ROWS" = 1000000 ] || echo "-$ROWS")}
source scripts/bench/lib_venv.sh
ensure_bench_venv "$VENV" numpy pandas scikit-learn
if [ ! -s "$DATA/table.csv" ]; then
    "$VENV/bin/python" scripts/bench/gen_model_table.py "$DATA" --rows "$ROWS" --csv >&2
fi
swift build -c release --product churnlab >&2
echo "logistic regression behind a prep pipeline: $TRAIN training rows, $THREADS threads, load $(cut -d' ' -f1-3 /proc/loadavg)"
CHURNLAB_THREADS=$THREADS .build/release/churnlab run scripts/bench/logistic_pipeline.lua "$DATA/table.csv" "$TRAIN"
OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS "$VENV/bin/python" scripts/bench/logistic_pipeline_peers.py \
    "$DATA" "$TRAIN" ${CHURNLAB_BENCH_TOLS:-1e-4 1e-6}
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
