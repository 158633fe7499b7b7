#!/usr/bin/env bash
# Float32 matrix products of the shapes cl.nn runs (m,n,k,threads), GFLOP/s:
#   C BLAS   a plain C program calling OpenBLAS (cblas_sgemm, best of 200 calls) through
#            whatever libopenblas pkg-config names (Debian's default is the pthread build, so
#            its "2" rows use OpenBLAS's own 2 threads: a reference cl.nn cannot use, see Package.swift);
#   locked   cl.nn's split (cl.nn._gemm_seconds: the m rows in one block per worker, each worker
#            running 200 products on its block back to back, as the recurrence does per step)
#            on OpenBLAS's sequential build behind BLAS.swift's lock (the library races otherwise);
#   kernel   the same on ChurnLab's own kernel (Sources/CKernels/gemm_kernels.c), no lock.
#   128,256,72,1    an LSTM step on one worker's 128-row block (hidden 64, input 8: [x|h]·W_catᵀ)
#   256,256,72,2    the same step for two blocks at once (what the two workers do every step)
#   128,128,72,1    the GRU step's r,z part; 256,128,72,2 two blocks at once
#   2048,64,24,2    MLP first layer at inference batch 2048; 2048,32,64,2 its second layer
#   23040,192,8,2   a wide product with a short sum (256 × 90 rows, 8 inputs)
# nngemm10, 2026-12-04 12:36 UTC, release, uptime load average 3.7-3.9 (two other helpers'
# swift-frontend processes held both cores at 100 %, so the "2" rows had about one core):
#   m,n,k,threads      C BLAS s   locked s   kernel s    C GF/s  lockGF/s  kernGF/s
#   128,256,72,1       0.000048   0.000050   0.000070      98.3      94.4      67.4
#   256,256,72,2       0.000101   0.000134   0.000131      93.4      70.4      72.0
#   128,128,72,1       0.000024   0.000025   0.000043      98.3      94.4      54.9
#   256,128,72,2       0.000053   0.000080   0.000074      89.0      59.0      63.8
#   2048,64,24,2       0.000084   0.000116   0.000151      74.9      54.2      41.7
#   2048,32,64,2       0.000109   0.000137   0.000213      77.0      61.2      39.4
#   23040,192,8,2      0.001607   0.001838   0.003733      44.0      38.5      19.0
# Repeats of single rows in the same minutes varied by ±30 % (128,256,72,1: locked 50/70/60 µs,
# kernel 70/71/59 µs; 256,256,72,2: locked 134/140/137, kernel 131/106/149), so under this load
# the two columns are within noise of each other on the recurrent shapes. The same kernel in a
# C harness (one thread, best of 200-2000 calls, load ~5-8, 11:45 UTC): 128x256x72 52.5 µs vs
# OpenBLAS 50.1, 128x128x72 27.4 vs 27.1, 128x64x8 2.4 vs 2.3, 2048x64x24 91.5 vs 79.1,
# 256x72x1920 (weight gradient, Aᵀ·B) 1.16 ms vs 0.80. Without the lock the two workers'
# products can overlap; whether that shows as time depends on a second free core, which this
# machine did not have while measured. What is kept: ChurnLab's kernel for every Float32 cl.nn
# product (the lock's cost goes, and per call it is within ~5 % of OpenBLAS on the step shapes);
# short sums over very many rows (23040x192x8) are its weak spot (2x OpenBLAS), a shape cl.nn's
# layers do not run per step.
#
# Earlier: measured 2026-12-03 06:35 UTC (release, OpenBLAS 0.3.21, load average 16 from parallel
# builds), when cl.nn still had hand-written Swift kernels (Gemm.swift):
#   m,n,k,threads      OpenBLAS s    cl.nn s   BLAS GF/s  cl.nn GF/s
#   128,192,64,1        0.000038   0.000272       82.8       11.6
#   256,192,64,2        0.000085   0.000540       74.0       11.7
#   23040,192,8,2       0.092773   0.101253        0.8        0.7
#   23040,8,192,2       0.058998   0.249117        1.2        0.3
#   2048,64,24,2        0.000254   0.000671       24.8        9.4
#   Decision by this measurement: OpenBLAS is ~7x faster on the recurrent step product
#   (the GRU/LSTM hot path). Done since: every cl.nn product goes through OpenBLAS's
#   sequential build, split over ChurnLab's workers (MatMul.swift), and the Swift kernels
#   are deleted; the cl.nn column now times that path, so the two columns differ by the
#   cost of the split (the C side links whatever libopenblas pkg-config names: with the
#   sequential build its thread setting has no effect).
# Usage: scripts/bench/gemm_blas_vs_swift.sh   (needs libopenblas-dev and a C compiler)
set -euo pipefail
cd "$(dirname "$0")/../.."
SHAPES="128,256,72,1 256,256,72,2 128,128,72,1 256,128,72,2 2048,64,24,2 2048,32,64,2 23040,192,8,2"
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
BIN="$(mktemp -d)/gemm_openblas"
cc -O2 -o "$BIN" scripts/bench/gemm_openblas.c $(pkg-config --cflags --libs openblas)
uptime
printf "%-16s %10s %10s %10s %9s %9s %9s\n" "m,n,k,threads" "C BLAS s" "locked s" "kernel s" "C GF/s" "lockGF/s" "kernGF/s"
"$BIN" 200 $SHAPES | while read -r shape secs; do
  IFS=, read -r m n k th <<< "$shape"
  locked=$(.build/release/churnlab run -e "print(string.format('%.6f', cl.nn._gemm_seconds($m, $n, $k, 200, $th, 'openblas')))")
  ours=$(.build/release/churnlab run -e "print(string.format('%.6f', cl.nn._gemm_seconds($m, $n, $k, 200, $th, 'kernel')))")
  awk -v s="$shape" -v b="$secs" -v l="$locked" -v o="$ours" -v m="$m" -v n="$n" -v k="$k" \
    'BEGIN { f = 2 * m * n * k / 1e9; printf "%-16s %10.6f %10.6f %10.6f %9.1f %9.1f %9.1f\n", s, b, l, o, f / b, f / l, f / o }'
done
