#!/usr/bin/env bash
# k-means (Lloyd), sampled silhouette and PCA: ChurnLab (release) beside scikit-learn
# on the same N × D data (default 1,000,000 × 20, k = 8), 2 threads each.
# Usage: scripts/bench/cluster_bench.sh [rows] [cols]
#   venv: $CHURNLAB_BENCH_VENV, else .venv-ref (python3 -m venv .venv-ref && .venv-ref/bin/pip install scikit-learn)
# Measured 2026-12-02 (2 shared cores, other builds running; best of 3):
#   given centres  ChurnLab 0.88 s / sklearn 0.55 s (equal inertia 6666667.066, n_iter 2)
#   k-means++ n=1  1.95 / 1.02 s;  n_init = 10  8.31 / 7.45 s;  silhouette 10k sample 1.43 / 1.55 s;  PCA 0.89 / 1.39 s
# 2026-12-03, Lloyd E-step as ‖c‖²/2 − x·c: ChurnLab given centres 0.92 s, k-means++ n=1 1.81 s (n_iter 2, so the E-step is
#   not the cost: data conversion, k-means++ and the exact inertia pass dominate); scikit-learn not rerun — goal (≤ 0.5×) still unmet.
# 2026-12-03 06:10, after the blocked E-step kernel (NearestCentre.swift), parallel frame→rows with a fused finite check
#   and one-pass k-means++ candidates; both sides in one run, machine heavily loaded (load average 12–14 on 2 cores,
#   so absolute times are ~4× a quiet machine's; compare the ratios), best of 3:
#   lloyd given centres ChurnLab 1.235 s / sklearn 2.601 s (0.47×);  lloyd k-means++ n=1 3.328 / 5.402 (0.62×)
#   elkan given centres 2.554 / 3.316 (0.77×);  elkan k-means++ 4.157 / 6.329 (0.66×);  n_init = 10 29.5 / 40.4 (0.73×)
#   all with equal inertia 6666667.066;  silhouette 4.54 / 5.61;  PCA 2.55 / 6.23.  Goal ≤ 0.5× met for Lloyd from
#   given centres only; k-means++ (exact distances, scalar) and Elkan's all-pairs start are what remains.
# 2026-12-03 15:50, personas5, standalone kernels (swiftc -O copies of KMeans/KMeansElkan/NearestCentre, 1,000,000 × 20,
#   k = 8, 2 threads, best of 3, scikit-learn in the same minute; load average 11–13 on 2 cores), CPU s (wall s):
#   lloyd given centres 0.170 (0.38) / sklearn 0.712 (1.52) 0.24×;  elkan given 0.251 (0.47) / 0.865 (1.75) 0.29×
#   lloyd k-means++ 0.605 (1.30) / 1.490 (3.73) 0.41×;  elkan k-means++ 0.657 (1.28) / 1.775 (3.04) 0.37×;  inertia equal.
#   Not in these: the frame → rows conversion of the product (0.10–0.14 s CPU, now also taking the tolerance's moments).
#   Again at 16:41 (load average 0.8–1.5): lloyd given 0.137 (0.071) / 0.560 (0.470); elkan given 0.195 (0.100) / 0.766 (0.617);
#   lloyd k-means++ 0.472 (0.261) / 1.434 (0.928); elkan k-means++ 0.522 (0.288) / 1.570 (1.436): 0.20–0.35× in wall time.
#   Elkan is now one pass per iteration (start + first sums fused, bounds moved inside the next pass, no zero-fill).
# Release 2026-12-03 17:15 UTC (load 1.5, main with personas5), 1M x 20, k = 8, same run, inertia equal: Lloyd from given
#   centres 0.140 vs scikit-learn 0.482 s (0.29x), Lloyd k-means++ 0.355 vs 0.893 (0.40x), Elkan given 0.181 vs 0.473 (0.38x),
#   Elkan k-means++ 0.410 vs 0.891 (0.46x), n_init = 10 3.019 vs 5.649 s (0.53x: goal <= 0.5x just missed).
# Release 2026-12-04 01:14 UTC (quiet: load 0.8-1.3), after k-means++'s update pass computes only the chosen candidate's
#   distances (dot products in place; the per-start dgemm over all candidates repacked X for one useful column), same run,
#   ChurnLab / sklearn 1.9.1: Lloyd given centres 0.064 / 0.242 s (0.26x); Lloyd k-means++ n=1 0.175 / 0.519 (0.34x);
#   Elkan given 0.096 / 0.257 (0.37x); Elkan k-means++ n=1 0.205 / 0.552 (0.37x); n_init = 10 1.328 / 3.727 (0.36x);
#   silhouette 0.363 / 0.738; PCA 0.147 / 0.565; inertia equal everywhere (6666667.066). Goal <= 0.5x: met in every row.
# Release 2026-12-04 00:59 UTC (load 2.2-3.4: the fuzz targets ran beside it; main add0df2), same run, ChurnLab / sklearn 1.9.1:
#   Lloyd given centres 0.176 / 0.430 s (0.41x); Lloyd k-means++ n=1 0.527 / 1.079 (0.49x); Elkan given 0.270 / 0.504
#   (0.54x); Elkan k-means++ n=1 0.609 / 0.961 (0.63x); n_init = 10 3.916 / 7.753 (0.505x); silhouette 0.972 / 1.233;
#   PCA 0.380 / 1.007; inertia equal everywhere. So the <= 0.5x goal holds for Lloyd but not robustly for n_init = 10
#   (0.41x in the 00:27 run, 0.505x here) nor for Elkan.
# Release 2026-12-04 00:27-00:29 UTC (load average 4.4 at the start, 7.1 at the end, 2 cores shared with other builds;
#   branch rec7: k-means++ starts of n_init seeded together, candidate distances by BLAS dgemm), 1M x 20, k = 8, same run,
#   inertia equal (6666667.066) everywhere: n_init = 10 6.369 vs scikit-learn 15.655 s = 0.41x (goal <= 0.5x: met);
#   Lloyd given centres 0.377 / 0.665 (0.57x), Lloyd k-means++ n=1 0.967 / 1.657 (0.58x), Elkan given 0.358 / 0.672
#   (0.53x), Elkan k-means++ 1.105 / 1.674 (0.66x); silhouette 1.411 / 1.894, PCA 0.622 / 1.914. Lloyd from given
#   centres (code unchanged since 17:15) measured 0.57x here against 0.29x then, so these single-run ratios under load
#   are noisy; the n=1 k-means++ ratios (0.58x, 0.66x, were 0.40x, 0.46x) were not profiled apart and stay open.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"; COLS="${2:-20}"
export CHURNLAB_THREADS="${CHURNLAB_THREADS:-2}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
echo "== load: $(uptime)"
echo "== ChurnLab (release, $CHURNLAB_THREADS threads)"
.build/release/churnlab run scripts/bench/cluster_bench.lua "$ROWS" "$COLS" | sed 's/^RESULT //'
if [ -x "$VENV/bin/python" ]; then
  echo "== scikit-learn $("$VENV/bin/python" -c 'import sklearn; print(sklearn.__version__)') (OMP threads $OMP_NUM_THREADS)"
  "$VENV/bin/python" scripts/bench/cluster_peers.py "$ROWS" "$COLS" | sed 's/^RESULT //'
else
  echo "(no Python venv at $VENV: peers skipped)"
fi
echo "== load: $(uptime)"
