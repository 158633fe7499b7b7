#!/usr/bin/env bash
# Float32 matrix products of the shapes cl.nn runs (m,n,k,threads), best of 20, GFLOP/s:
#   C BLAS   a plain C program calling OpenBLAS once (cblas_sgemm; the sequential build
#            ignores its thread setting, so this is one thread, no lock);
#   locked   cl.nn's path (cl.nn._gemm_seconds → MatMul.rows: rows split over `threads`
#            workers) on OpenBLAS behind BLAS.swift's lock (the library races otherwise);
#   kernel   the same path on ChurnLab's own kernel (Sources/CKernels/gemm_kernels.c), no lock.
#   128,256,72,1    an LSTM step on one worker's 128-row block (hidden 64, input 8: [x|h]·W_catᵀ)
#   256,256,72,2    the same step for two blocks at once (what the two workers do every step)
#   128,128,72,1    the GRU step's r,z part; 256,128,72,2 two blocks at once
#   2048,64,24,2    MLP first layer at inference batch 2048; 2048,32,64,2 its second layer
#   23040,192,8,2   a wide product with a short sum (256 × 90 rows, 8 inputs)
# Measured 2026-12-03 06:35 UTC (release, OpenBLAS 0.3.21, load average 16 from parallel
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
"$BIN" 20 $SHAPES | while read -r shape secs; do
  IFS=, read -r m n k th <<< "$shape"
  locked=$(.build/release/churnlab run -e "print(string.format('%.6f', cl.nn._gemm_seconds($m, $n, $k, 20, $th, 'openblas')))")
  ours=$(.build/release/churnlab run -e "print(string.format('%.6f', cl.nn._gemm_seconds($m, $n, $k, 20, $th, 'kernel')))")
  awk -v s="$shape" -v b="$secs" -v l="$locked" -v o="$ours" -v m="$m" -v n="$n" -v k="$k" \
    'BEGIN { f = 2 * m * n * k / 1e9; printf "%-16s %10.6f %10.6f %10.6f %9.1f %9.1f %9.1f\n", s, b, l, o, f / b, f / l, f / o }'
done
