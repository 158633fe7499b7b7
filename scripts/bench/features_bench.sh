#!/usr/bin/env bash
# Feature build, ChurnLab vs polars (and DuckDB when installed), on the same seeded
# event log (scripts/bench/gen_feature_events.py: 20M events / 1M users by default),
# 2 threads each (CHURNLAB_BENCH_THREADS):
#   in memory   cl.features.build on an indexed log vs polars' group_by on arrays in memory
#   end to end  CSV file → features: cl.read_csv → cl.events → build vs polars' lazy scan_csv
# Env: CHURNLAB_BENCH_DIR (default /tmp/churnlab_bench_features), CHURNLAB_BENCH_EVENTS,
#      CHURNLAB_BENCH_USERS, CHURNLAB_BENCH_VENV (default .venv-ref; polars, pyarrow, duckdb).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${CHURNLAB_BENCH_DIR:-/tmp/churnlab_bench_features}"
THREADS=${CHURNLAB_BENCH_THREADS:-2}
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
source scripts/bench/lib_venv.sh
ensure_bench_venv "$VENV" numpy polars pyarrow
if [ ! -s "$DIR/events.parquet" ]; then
    "$VENV/bin/python" scripts/bench/gen_feature_events.py "$DIR" --events "${CHURNLAB_BENCH_EVENTS:-20000000}" \
        --users "${CHURNLAB_BENCH_USERS:-1000000}" >&2
fi
swift build -c release --product churnlab >&2
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$DIR/events.csv" > /dev/null    # page cache warm for every reader
CHURNLAB_THREADS=$THREADS .build/release/churnlab run scripts/bench/features_bench.lua "$DIR"
for peer in polars duckdb; do
    if "$VENV/bin/python" -c "import $peer" 2>/dev/null; then
        POLARS_MAX_THREADS=$THREADS "$VENV/bin/python" scripts/bench/features_$peer.py "$DIR"
    else
        echo "bench features $peer: not installed in $VENV"
    fi
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
