#!/usr/bin/env bash
# Random forest benchmark: ChurnLab vs scikit-learn (n_jobs = 2).
# 100 trees, depth 16, max_features sqrt, trained on the first 200,000 rows of the
# generated table, tested on its last 200,000 rows.
# Env: as gbdt_bench.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec "$(dirname "$0")/run_model_bench.sh" forest "sklearn"
