#!/usr/bin/env bash
# GBDT benchmark: ChurnLab vs LightGBM (+ XGBoost, scikit-learn HistGradientBoosting when installed).
# 1,000,000 rows x (40 numeric + 5 categorical), 80/20 split, 2 threads, 200 trees, lr 0.1, 63 leaves.
# Env: CHURNLAB_BENCH_VENV (default .venv-ref in the repo), CHURNLAB_BENCH_DATA (default /tmp/churnlab_bench_data),
#      CHURNLAB_BENCH_THREADS (default 2), CHURNLAB_BENCH_PEERS (default "lightgbm xgboost sklearn").
#
# Profile (issue 19 item 1; gbdt10, 2026-12-04). perf record -g on the release binary,
# 2 threads, this benchmark's fit (main at 8658ce2: fit 24.3 s wall / 35.9 s CPU = 1.48 cores).
# Share of the fit's CPU samples:
#   histogram construction 78 %   (a third of it - 26 % of the fit - on ONE thread: a leaf under
#                                  65,536 rows was one 32,768-row chunk, built by the calling thread)
#   row partition            8.6 % (mostly mispredicted left/right branches; serial under 65,536 rows)
#   binning (frame -> bins)  4.7 % (sample sort, bin search; parallel over features)
#   gradients + scores       3.2 %   tree bookkeeping (root sums, subtraction) 3.5 %   split search 2.5 % (serial)
#   frame -> feature matrix  < 0.1 % (the Lua-side conversion is not where the time goes)
# perf annotate of the histogram kernel: ~1/3 of its samples wait on the scattered loads of a
# leaf's rows (45-byte rows straddled two cache lines 69 % of the time) and gradients.
# LightGBM 4.7.0 (perf on model_peers.py): row-wise MultiValDenseBin::ConstructHistogram ~52 % of
# its fit, DenseBin::Split ~8 %; same algorithm, a larger share of it on both threads.
# What changed (gbdt10): histograms of every leaf built on all threads (4,096-row chunks, two
# feature blocks for one-chunk leaves; thread-count independent), the row update in C with a
# prefetch 16 rows ahead (CKernels/hist_kernels.c), row-major bins padded to 64-byte rows,
# branch-free partition (256-entry side table) parallel from 16,384 rows, parallel split search,
# root sums and score updates. Same AUC (0.80864) before and after.
#
# Measured 2026-12-04, branch gbdt10, release, 2 threads, this script with CHURNLAB_BENCH_PEERS=lightgbm.
# Run A 13:00-13:01 UTC, machine otherwise idle (uptime before: load 2.85 3.97 4.31 - the tail of
# earlier jobs - after: 2.13 3.41 4.07):
#   library        train s  train CPU s  test AUC  predict rows/s  peak MB
#   churnlab          15.0         27.0   0.80864         340,796      563
#   churnlab-goss     14.7         23.9   0.80223         324,534      597   (goss = true, 0.2 + 0.1)
#   lightgbm          20.1         34.2   0.80857         131,824      931
#   churnlab / lightgbm: train time x0.74, CPU x0.79, AUC +0.0001, predict x2.59, peak memory x0.60
# Run B 12:56-12:59 UTC, machine shared by 3-4 jobs (uptime before: load 3.40 4.64 4.55, after:
# 4.11 4.37 4.45): churnlab 26.2 s / CPU 29.3 s, AUC 0.80864; churnlab-goss 16.2 s / 25.1 s, AUC
# 0.80223; lightgbm 43.8 s / 42.9 s, AUC 0.80857 (train time x0.60: under load LightGBM's OpenMP
# loses more than ChurnLab's workers, so B flatters the ratio; A is the figure to quote).
# Fit before -> after (quiet): 24.3 s wall / 35.9 s CPU / 1.48 cores -> 15.0 s / 27.0 s / 1.80 cores.
# GOSS: AUC -0.0064 and barely faster on a quiet machine (14.7 vs 15.0 s): its sampling passes are
# serial (|g.h| keys, quickselect, the draw: 3 passes over 800k rows a round) and the ~70 % rows it
# leaves out are scored by walking each tree, which eats what the smaller histograms save.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec "$(dirname "$0")/run_model_bench.sh" gbdt "${CHURNLAB_BENCH_PEERS:-lightgbm xgboost sklearn}"
