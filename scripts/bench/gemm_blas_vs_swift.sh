#!/usr/bin/env bash
# Float32 matrix products of the shapes cl.nn runs (m,n,k,threads): a plain C
# program calling OpenBLAS (cblas_sgemm, openblas_set_num_threads) beside
# cl.nn's own path (cl.nn._gemm_seconds: Sources/ChurnCore/NN/MatMul.swift),
# best of 20, GFLOP/s.
#   128,192,64,1    a GRU step on one worker's half of a 256 batch (h·W_hhᵀ)
#   256,192,64,2    the same step for the whole batch
#   23040,192,8,2   input projection of a batch (256 × 90 steps, 8 channels)
#   23040,8,192,2   its input gradient
#   2048,64,24,2    MLP first layer at inference batch 2048
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
SHAPES="128,192,64,1 256,192,64,2 23040,192,8,2 23040,8,192,2 2048,64,24,2"
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
BIN="$(mktemp -d)/gemm_openblas"
cc -O2 -o "$BIN" scripts/bench/gemm_openblas.c $(pkg-config --cflags --libs openblas)
printf "%-16s %12s %12s %10s %10s\n" "m,n,k,threads" "OpenBLAS s" "cl.nn s" "BLAS GF/s" "cl.nn GF/s"
"$BIN" 20 $SHAPES | while read -r shape secs; do
  IFS=, read -r m n k th <<< "$shape"
  ours=$(.build/release/churnlab run -e "print(string.format('%.6f', cl.nn._gemm_seconds($m, $n, $k, 20, $th)))")
  awk -v s="$shape" -v b="$secs" -v o="$ours" -v m="$m" -v n="$n" -v k="$k" \
    'BEGIN { f = 2 * m * n * k / 1e9; printf "%-16s %12.6f %12.6f %10.1f %10.1f\n", s, b, o, f / b, f / o }'
done
