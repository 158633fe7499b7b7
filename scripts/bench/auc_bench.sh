#!/usr/bin/env bash
# ROC AUC of 10,000,000 scores: ChurnLab (release) vs scikit-learn roc_auc_score on the same arrays.
# Usage: scripts/bench/auc_bench.sh   (venv: $CHURNLAB_BENCH_VENV or .venv-ref in the repo)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
if [ -x "$VENV/bin/python" ]; then
  "$VENV/bin/python" - "$DATA" <<'PY'
import sys, time, numpy as np, sklearn
from sklearn.metrics import roc_auc_score
d = sys.argv[1]
rng = np.random.default_rng(1)
n = 10_000_000
y = (rng.random(n) < 0.2).astype(np.float64)
p = 1 / (1 + np.exp(-(rng.standard_normal(n) + 1.2 * y)))
pt = np.round(p, 3)
y.tofile(f"{d}/y.f64"); p.tofile(f"{d}/p.f64"); pt.tofile(f"{d}/p_ties.f64")
w = 1 + (np.arange(n) % 3).astype(np.float64)
def bench(label, f):
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter(); v = f(); best = min(best, time.perf_counter() - t0)
    print(f"BENCH {label:<30} {best:8.3f} s   value={v:.15f}")
print(f"BENCH sklearn {sklearn.__version__} n={n}")
bench("sklearn roc_auc_score", lambda: roc_auc_score(y, p))
bench("sklearn (3-dp ties)", lambda: roc_auc_score(y, pt))
bench("sklearn weighted", lambda: roc_auc_score(y, p, sample_weight=w))
from sklearn.metrics import average_precision_score, log_loss, brier_score_loss, f1_score
bench("sklearn average_precision", lambda: average_precision_score(y, p))
def peer_report():
    # The closest sklearn peer of MetricsReport: the same headline metrics, each computed separately.
    auc = roc_auc_score(y, p); average_precision_score(y, p); log_loss(y, p); brier_score_loss(y, p); f1_score(y, p >= 0.5)
    return auc
bench("sklearn 5 metrics (report)", peer_report)
PY
  export CHURNLAB_BENCH_DATA="$DATA"
else
  echo "no Python venv at $VENV: ChurnLab figures only (own data)"
fi
CHURNLAB_BENCH=1 swift test -c release --filter AUCBenchTests.testBenchROCAUC10M 2>&1 | grep BENCH
